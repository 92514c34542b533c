"""Residents' alerts: a person follows one report, or an area (a colonia, an INEGI locality or
a circle around a point) optionally narrowed to one service, and gets at most one e-mail per
ALERTS_DIGEST_HOURS with the public changes (docs/alerts.md).

The e-mail address lives only here: the outbox's rows name the subscription (AlertMessage),
never the address, so deleting a subscription deletes the address everywhere.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_token():
    return secrets.token_urlsafe(24)


class Subscription(models.Model):
    class Scope(models.TextChoices):
        TICKET = "reporte", "Un reporte"
        COLONIA = "colonia", "Una colonia"
        LOCALITY = "localidad", "Una localidad"
        CIRCLE = "circulo", "Alrededor de un punto"

    class State(models.TextChoices):
        PENDING = "pendiente", "Por confirmar"
        ACTIVE = "activa", "Activa"
        ENDED = "baja", "Dada de baja"

    email = models.EmailField("correo")
    scope = models.CharField("qué sigue", max_length=10, choices=Scope.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="reporte"
    )
    colonia = models.ForeignKey(
        "tickets.Colonia", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="colonia"
    )
    locality = models.ForeignKey(
        "tickets.Locality", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="localidad"
    )
    latitude = models.DecimalField("latitud", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("longitud", max_digits=9, decimal_places=6, null=True, blank=True)
    radius_m = models.PositiveIntegerField("radio (m)", null=True, blank=True)
    service = models.ForeignKey(
        "tickets.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="servicio"
    )
    # What is followed, as one text ("colonia:12|servicio:3"): one subscription per address
    # and target while it is not ended.
    target = models.CharField("objetivo", max_length=120, editable=False)
    # The secret of the confirmation and unsubscribe links (whoever holds it controls only this
    # subscription, and can only confirm or end it).
    token = models.CharField(max_length=40, default=new_token, unique=True, editable=False)
    state = models.CharField("estado", max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField("solicitada", default=timezone.now)
    confirmed_at = models.DateTimeField("confirmada", null=True, blank=True)
    ended_at = models.DateTimeField("baja", null=True, blank=True)
    # The digest: public changes after `covered_until` are news; the job looks again at
    # `next_digest_at` (at most one e-mail every ALERTS_DIGEST_HOURS).
    covered_until = models.DateTimeField("avisado hasta", null=True, blank=True)
    next_digest_at = models.DateTimeField("próximo resumen", null=True, blank=True)

    class Meta:
        verbose_name = "suscripción a avisos"
        verbose_name_plural = "suscripciones a avisos"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "target"], condition=~Q(state="baja"), name="alerts_one_live_per_target"
            ),
        ]
        indexes = [
            # The digest job: confirmed subscriptions whose time has come.
            models.Index(fields=["next_digest_at"], name="alerts_due_idx", condition=Q(state="activa")),
            # The clean-up: expired requests and old unsubscriptions.
            models.Index(fields=["state", "created_at"], name="alerts_state_idx"),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} · {self.describe()}"

    @staticmethod
    def target_of(*, scope, ticket=None, colonia=None, locality=None, latitude=None, longitude=None,
                  radius_m=None, service=None):  # fmt: skip
        if scope == Subscription.Scope.TICKET:
            place = f"reporte:{ticket.pk}"
        elif scope == Subscription.Scope.COLONIA:
            place = f"colonia:{colonia.pk}"
        elif scope == Subscription.Scope.LOCALITY:
            place = f"localidad:{locality.pk}"
        else:
            place = f"circulo:{float(latitude):.5f},{float(longitude):.5f},{int(radius_m)}"
        return place + (f"|servicio:{service.pk}" if service is not None else "")

    def of_what(self):
        """ "del reporte …" / "de los reportes …", after "avisos"."""
        what = self.describe()
        return f"del {what[3:]}" if what.startswith("el ") else f"de {what}"

    def describe(self):
        """What is followed, in plain Spanish (the pages and e-mails; never the address)."""
        if self.scope == self.Scope.TICKET:
            return f"el reporte {self.ticket.folio}"
        if self.scope == self.Scope.COLONIA:
            place = f"la colonia {self.colonia.name}"
        elif self.scope == self.Scope.LOCALITY:
            place = f"la localidad {self.locality.name}"
        else:
            place = (
                f"un radio de {self.radius_m} m alrededor de {float(self.latitude):.5f}, {float(self.longitude):.5f}"
            )
        what = f"los reportes de {self.service.name.lower()}" if self.service_id else "los reportes"
        return f"{what} en {place}"


class AlertMessage(models.Model):
    """What one outbox notification of the alerts tells, and to which subscription: the
    confirmation request, or a digest of the public events it lists (their ids; the events
    are read again, and must still be public, when the e-mail is delivered)."""

    notification = models.OneToOneField(
        "tickets.Notification", primary_key=True, on_delete=models.CASCADE, related_name="alert"
    )
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="messages")
    events = models.JSONField(default=list, blank=True)
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "aviso de suscripción"
        verbose_name_plural = "avisos de suscripciones"

    def __str__(self):
        return f"{self.notification} · {self.subscription_id}"
