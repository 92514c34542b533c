"""The outbox: every message the portal promises, written in the same transaction as the
change that promises it, so that no message is lost to a broker, a worker or an SMTP server
that is down at that moment (tickets/outbox.py delivers them; docs/reliability.md).

A message names what it is about (a ticket, or a department for the daily digest) and whom
it is for (a staff user, or nobody: the ticket's reporter), never an address: addresses are
read when it is delivered, so an erased e-mail is erased everywhere and a user who may no
longer see the ticket is not told about it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        # To the resident
        CONFIRMATION = "confirmacion", "Confirmación del reporte (al ciudadano)"
        UPDATE = "actualizacion", "Avance del reporte (al ciudadano)"
        RESOLVED = "resuelto", "Aviso de reporte atendido (al ciudadano)"
        # To staff
        REOPENED = "reabierto", "Aviso de ticket reabierto (a la dependencia)"
        ASSIGNED = "asignado", "Ticket asignado (al responsable)"
        DUE_SOON = "por_vencer", "Ticket por vencer (al personal)"
        OVERDUE = "vencido", "Ticket vencido (al personal)"
        DAILY_DIGEST = "resumen", "Resumen diario de la dependencia"
        # To residents who follow a report or an area (alerts/): what the row of
        # alerts.AlertMessage linked to the notification says.
        ALERT_CONFIRM = "alerta_confirmar", "Confirmación de suscripción a avisos"
        ALERT_DIGEST = "alerta_resumen", "Resumen de avisos (suscripción)"

    class State(models.TextChoices):
        PENDING = "pendiente", "Pendiente"
        SENT = "enviado", "Enviado"
        FAILED = "fallido", "Fallido"
        SKIPPED = "omitido", "Sin destinatario"

    class Channel(models.TextChoices):
        EMAIL = "correo", "Correo"
        SMS = "sms", "SMS / WhatsApp"

    kind = models.CharField("aviso", max_length=20, choices=Kind.choices)
    channel = models.CharField("medio", max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    department = models.ForeignKey(
        "tickets.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A staff member; empty: the ticket's reporter.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="para",
    )
    # For messages a periodic job promises (por vencer, vencido, the daily digest): what makes
    # it one of a kind ("vencido:<ticket>:<day>:<user>"), so two runs never promise it twice.
    # Unique through Meta.constraints, over the rows that have one: a resident's confirmation
    # (no key) writes no entry in it, and there is no "LIKE" twin index (unique=True's).
    key = models.CharField("clave", max_length=120, null=True, blank=True)
    # For a resident's update: the newest public event it told (the next one starts after it).
    covers_event = models.PositiveBigIntegerField(null=True, blank=True)
    state = models.CharField("estado", max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("creado", default=timezone.now)
    attempts = models.PositiveSmallIntegerField("intentos", default=0)
    next_attempt_at = models.DateTimeField("próximo intento", default=timezone.now)
    sent_at = models.DateTimeField("enviado", null=True, blank=True)
    # What the last failure was, for staff: the error's kind and the server's answer.
    last_error = models.CharField("último error", max_length=300, blank=True)

    class Meta:
        verbose_name = "aviso"
        verbose_name_plural = "avisos"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep's query: pending messages whose time has come.
            models.Index(
                fields=["next_attempt_at"], name="notification_due_idx", condition=models.Q(state="pendiente")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], name="notification_key_unique", condition=models.Q(key__isnull=False)
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket_id or self.department_id or self.key or self.pk}"


class DepartmentAlerts(models.Model):
    """Who in a department hears what (Zendesk's triggers and automations): configured per
    department in the admin; a department without a row gets the defaults."""

    department = models.OneToOneField(
        "tickets.Department", on_delete=models.CASCADE, related_name="alerts", verbose_name="dependencia"
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name="coordinadores",
        help_text="Reciben los avisos de tickets por vencer y vencidos y el resumen diario.",
    )
    assignee_on_assign = models.BooleanField("al responsable, cuando se le asigna", default=True)
    assignee_on_reopen = models.BooleanField("al responsable, cuando se reabre", default=True)
    due_soon_to_assignee = models.BooleanField("por vencer: al responsable", default=True)
    due_soon_to_coordinators = models.BooleanField("por vencer: a los coordinadores", default=True)
    overdue_to_coordinators = models.BooleanField("vencido: a los coordinadores", default=True)
    overdue_to_supervisors = models.BooleanField("vencido: a los supervisores de la Gerencia", default=True)
    overdue_every_day = models.BooleanField("vencido: repetir cada día hábil que siga vencido", default=True)
    digest_to_coordinators = models.BooleanField("resumen diario: a los coordinadores", default=True)
    digest_to_staff = models.BooleanField("resumen diario: a todo el personal de la dependencia", default=False)

    class Meta:
        verbose_name = "avisos al personal"
        verbose_name_plural = "avisos al personal"

    def __str__(self):
        return f"Avisos de {self.department}"

    @classmethod
    def of(cls, department):
        """The department's settings, or the defaults (unsaved) when it has none."""
        found = cls.objects.filter(department=department).prefetch_related("coordinators").first()
        return found or cls(department=department)

    def coordinator_list(self):
        # From the relation `of()` prefetched: the alert jobs ask once per ticket.
        return [user for user in self.coordinators.all() if user.is_active] if self.pk else []
