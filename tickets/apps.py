from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets y catálogo"

    def ready(self):
        from . import signals  # noqa: F401
