"""Moderation: what a supervisor hid or redacted on a ticket (a description, a note or a
photo carrying personal data or abuse), with the original kept for the record."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Moderation(models.Model):
    class Target(models.TextChoices):
        DESCRIPTION = "descripcion", "Descripción del reporte"
        NOTE = "nota", "Nota del historial"
        PHOTO = "foto", "Foto"

    class Reason(models.TextChoices):
        PERSONAL_DATA = "datos_personales", "Datos personales"
        ABUSE = "abuso", "Lenguaje ofensivo o abuso"
        OTHER = "otro", "Otro motivo"

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="moderations")
    target = models.CharField("qué", max_length=12, choices=Target.choices)
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="moderations"
    )
    photo = models.ForeignKey(
        "tickets.TicketPhoto", null=True, blank=True, on_delete=models.CASCADE, related_name="moderations"
    )
    # The text as it was (a photo keeps its file, hidden from the public instead).
    original = models.TextField("original", blank=True)
    replacement = models.TextField("texto publicado en su lugar", blank=True)
    reason = models.CharField("motivo", max_length=20, choices=Reason.choices)
    explanation = models.TextField("explicación")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("quién", max_length=150)
    created_at = models.DateTimeField("fecha", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="moderation_ticket_idx")]
        verbose_name = "moderación"
        verbose_name_plural = "moderaciones"

    def __str__(self):
        return f"{self.get_target_display()} · {self.ticket_id}"
