from django.apps import AppConfig


class ServerKernelsConfig(AppConfig):
    name = "serverkernels"
    verbose_name = "Server kernels"
    default_auto_field = "django.db.models.BigAutoField"
