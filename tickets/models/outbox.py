"""The outbox: every e-mail the lifecycle promises, written in the same transaction as the
change that promises it, so that no message is lost to a broker, a worker or an SMTP server
that is down at that moment (tickets/outbox.py delivers them; docs/reliability.md)."""

from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmacion", "Confirmación del reporte (al ciudadano)"
        RESOLVED = "resuelto", "Aviso de reporte atendido (al ciudadano)"
        REOPENED = "reabierto", "Aviso de ticket reabierto (a la dependencia)"

    class State(models.TextChoices):
        PENDING = "pendiente", "Pendiente"
        SENT = "enviado", "Enviado"
        FAILED = "fallido", "Fallido"
        SKIPPED = "omitido", "Sin destinatario"

    kind = models.CharField("aviso", max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="notifications")
    state = models.CharField("estado", max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("creado", default=timezone.now)
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    next_attempt_at = models.DateTimeField("próximo intento", default=timezone.now)
    sent_at = models.DateTimeField("enviado", null=True, blank=True)
    # What the last failure was, for staff: the error's kind and the server's answer.
    last_error = models.CharField("último error", max_length=300, blank=True)

    class Meta:
        verbose_name = "aviso por correo"
        verbose_name_plural = "avisos por correo"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's query: pending messages whose time has come.
            models.Index(
                fields=["next_attempt_at"], name="notification_due_idx", condition=models.Q(state="pendiente")
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket_id}"
