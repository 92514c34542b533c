from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package as an app: its system checks (metepec7311/checks.py)."""

    name = "metepec7311"
    verbose_name = "Metepec *7311"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
