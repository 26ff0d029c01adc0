"""Django app registration for :mod:`packages`."""

from django.apps import AppConfig


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = "Wheel proxy"
    default_auto_field = "django.db.models.BigAutoField"
