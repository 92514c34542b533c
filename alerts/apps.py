from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Avisos a vecinos"

    def ready(self):
        from alerts import messages
        from tickets import notifications
        from tickets.models import Notification

        notifications.register(Notification.Kind.ALERT_CONFIRM, messages.confirmation)
        notifications.register(Notification.Kind.ALERT_DIGEST, messages.digest)
