"""Django app registration for :mod:`notebooks`."""

from django.apps import AppConfig


class NotebooksConfig(AppConfig):
    name = "notebooks"
    verbose_name = "Notebooks"
    default_auto_field = "django.db.models.BigAutoField"
