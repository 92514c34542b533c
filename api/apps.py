from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "APIs (Open311 y REST)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from api import signals  # noqa: F401
