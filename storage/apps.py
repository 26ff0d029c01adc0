"""Django app registration for :mod:`storage`."""

from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "storage"
    verbose_name = "Notebook storage"
    default_auto_field = "django.db.models.BigAutoField"
