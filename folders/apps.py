from django.apps import AppConfig


class FoldersConfig(AppConfig):
    name = "folders"
    default_auto_field = "django.db.models.BigAutoField"
