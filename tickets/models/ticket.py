"""Tickets, their folios, photos and the audit trail.

Changes to a ticket go through tickets/lifecycle.py, never through save() here: the
lifecycle writes the event trail and enforces the allowed status moves.
"""

import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from tickets.models.status import (  # noqa: F401  (re-exported: the vocabulary of tickets)
    CLOSED_STATUSES,
    CLOSED_WITHOUT_ACTION,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    PublicBucket,
    SlaState,
    Status,
    public_bucket,
    resolved_on_time,
    running_clock,
    sla_state_of,
    sla_state_q,
    statuses_in,
)


class Channel(models.TextChoices):
    WEB = "web", "Web"
    TELEFONO = "telefono", "Teléfono *7311"
    APP = "app", "App"
    API = "api", "API"
    IMPORTADO = "importado", "Importado"


class Priority(models.TextChoices):
    BAJA = "baja", "Baja"
    NORMAL = "normal", "Normal"
    ALTA = "alta", "Alta"
    URGENTE = "urgente", "Urgente"


class TicketQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)

    def in_bucket(self, bucket):
        return self.filter(status__in=statuses_in(bucket))

    def in_sla_state(self, state, now=None):
        return self.filter(sla_state_q(state, now))

    def with_sla_state(self, now=None):
        """Annotate `sla_state`, computed by the database from the same filters."""
        now = now or timezone.now()
        whens = [
            When(sla_state_q(state, now), then=Value(state.value))
            for state in (
                SlaState.NO_APLICA,
                SlaState.CUMPLIDO,
                SlaState.INCUMPLIDO,
                SlaState.VENCIDO,
                SlaState.POR_VENCER,
                SlaState.A_TIEMPO,
            )
        ]
        return self.annotate(
            sla_state=Case(*whens, default=Value(SlaState.NO_APLICA.value), output_field=models.CharField())
        )

    def with_legacy_folio(self, numbers):
        """Tickets whose number in an earlier system is one of `numbers`, from the partial
        unique index: its condition is repeated so PostgreSQL uses the index also for long
        lists (it cannot prove `legacy_folio <> ''` from an IN list of more than 100 values)."""
        return self.filter(legacy_folio__in=list(numbers)).exclude(legacy_folio="")

    def visible_to(self, user):
        """The tickets a staff user may see: all, or only their department's."""
        from tickets.permissions import visible_department_id

        if user.has_perm("tickets.view_all_tickets"):
            return self
        department_id = visible_department_id(user)
        if department_id is None:
            return self.none()
        return self.filter(department_id=department_id)


class FolioCounter(models.Model):
    """The last folio number issued in a year; its row lock serialises folio assignment."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class FolioField(models.CharField):
    """The folio's column, read back from the INSERT itself (RETURNING): on PostgreSQL the
    INSERT computes it (tickets/folio.py), so the number is known without another query."""

    # Django's own (private) switch for the columns an INSERT returns; covered by the folio
    # tests, which read the folio of every ticket they create.
    db_returning = True

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs  # the same column for migrations


def new_reporter_token():
    return secrets.token_urlsafe(24)


class Ticket(models.Model):
    # Unique through Meta.constraints: a field's unique=True would add, on PostgreSQL, a second
    # "LIKE" index nobody uses, paid on every write.
    folio = FolioField(max_length=20, editable=False)
    # The unguessable part of the reporter's private link (/seguimiento/<folio>/<token>/).
    reporter_token = models.CharField(max_length=40, default=new_reporter_token, editable=False)
    service = models.ForeignKey(
        "tickets.Service",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="servicio",
        db_index=False,  # the composite indexes below start with it
    )
    department = models.ForeignKey(
        "tickets.Department",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name="dependencia",
        db_index=False,  # the composite indexes below start with it
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name="responsable",
        db_index=False,  # the composite indexes below start with it
    )
    status = models.CharField("estado", max_length=12, choices=Status.choices, default=Status.NUEVO)
    priority = models.CharField("prioridad", max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)

    description = models.TextField("descripción")
    address = models.CharField("dirección o referencia", max_length=300, blank=True)
    colonia = models.ForeignKey(
        "tickets.Colonia",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,  # the composite indexes below start with it
    )
    locality = models.ForeignKey(
        "tickets.Locality",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name="localidad INEGI",
    )
    latitude = models.DecimalField("latitud", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("longitud", max_digits=9, decimal_places=6, null=True, blank=True)
    attributes = models.JSONField("respuestas adicionales", default=dict, blank=True)

    # Private: never shown publicly, exported, or returned by a public API.
    reporter_name = models.CharField("nombre de quien reporta", max_length=150, blank=True)
    reporter_phone = models.CharField("teléfono", max_length=15, blank=True)
    reporter_email = models.EmailField("correo", blank=True)
    # The reporter asked for no more updates of this report (the link in every update).
    reporter_unsubscribed_at = models.DateTimeField("sin avisos desde", null=True, blank=True)

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name="ticket principal",
    )
    affected_count = models.PositiveIntegerField("vecinos afectados", default=1)
    tags = models.ManyToManyField("tickets.Tag", blank=True, related_name="tickets", verbose_name="etiquetas")
    # Imported history (tickets/imports/): the number the ticket had in the system it came
    # from, in that system's namespace ("gerencia" for the Gerencia's spreadsheets and its
    # Zendesk, which share one numbering). A resident can look the old number up.
    legacy_source = models.CharField("sistema de origen", max_length=20, blank=True)
    legacy_folio = models.CharField("folio anterior", max_length=40, blank=True)

    created_at = models.DateTimeField("creado", default=timezone.now)
    updated_at = models.DateTimeField("actualizado", auto_now=True)
    resolved_at = models.DateTimeField("resuelto", null=True, blank=True)
    closed_at = models.DateTimeField("cerrado", null=True, blank=True)

    # The SLA clock (tickets/sla.py). due_soon_at is when fewer than SLA_WARNING_HOURS
    # business hours remain; storing it keeps every SLA state a plain indexed comparison.
    due_at = models.DateTimeField("vence", null=True, blank=True)
    due_soon_at = models.DateTimeField("por vencer desde", null=True, blank=True)
    sla_paused_at = models.DateTimeField("plazo en pausa desde", null=True, blank=True)
    sla_breached_at = models.DateTimeField("vencimiento registrado", null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField("reaperturas", default=0)
    # The first thing a person on the staff did with the ticket (assign, start, a note…): the
    # supervisor's dashboard reports the time to it (tickets/dashboard.py).
    first_action_at = models.DateTimeField("primera atención", null=True, blank=True)
    # Business hours from creation to resolution (the resident's wait, paused time included).
    business_hours_to_resolve = models.DecimalField(
        "horas hábiles para resolver", max_digits=9, decimal_places=2, null=True, blank=True
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ticket"
        verbose_name_plural = "tickets"
        permissions = [
            ("work_ticket", "Puede atender tickets (asignar, iniciar, resolver, cerrar)"),
            ("intake_ticket", "Puede registrar reportes telefónicos"),
            ("view_all_tickets", "Puede ver tickets de todas las dependencias"),
            ("route_ticket", "Puede turnar tickets a otra dependencia"),
            ("moderate_ticket", "Puede ocultar o editar descripciones, notas y fotos (moderación)"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
            models.Index(fields=["department", "-created_at"], name="ticket_dept_created_idx"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_created_idx"),
            models.Index(fields=["service", "-created_at"], name="ticket_service_created_idx"),
            models.Index(fields=["colonia", "-created_at"], name="ticket_colonia_created_idx"),
            models.Index(fields=["channel", "-created_at"], name="ticket_channel_created_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            # The SLA states (tickets/models/status.py, running_clock): overdue and about to be,
            # across the city and per department.
            # Both deadlines: "vencido" (due <= now) reads its range; "por vencer" (due_soon <=
            # now < due) reads the short range of running tickets not yet overdue and checks
            # due_soon inside the index (with an index on due_soon alone it scanned every
            # overdue ticket too: 55 ms at 10 M).
            models.Index(running_clock("due_at"), running_clock("due_soon_at"), name="ticket_running_due_pair_idx"),
            models.Index(F("department"), running_clock("due_at"), name="ticket_dept_running_due_idx"),
            models.Index(fields=["reporter_phone"], name="ticket_phone_idx", condition=~Q(reporter_phone="")),
            # The staff's queues (tickets/queues.py) that no index above serves: open tickets
            # without an assignee, and reopened ones still open. Partial, so they hold only
            # the backlog, not the million closed tickets.
            models.Index(
                fields=["department", "-created_at"],
                name="ticket_unassigned_idx",
                condition=Q(assignee__isnull=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["department"],
                name="ticket_reopened_open_idx",
                condition=Q(reopened_count__gt=0, status__in=OPEN_STATUSES),
            ),
            # The public map (/mapa/, stats/publicmap.py): open tickets with a point, by place;
            # resolved ones with a point by resolution time (the map shows the last 30 days), then
            # place. Partial: closed-without-action tickets and tickets without a point are left out.
            models.Index(
                fields=["latitude", "longitude"],
                name="ticket_map_open_idx",
                condition=Q(status__in=OPEN_STATUSES, latitude__isnull=False),
            ),
            models.Index(
                fields=["resolved_at", "latitude", "longitude"],
                name="ticket_map_resolved_idx",
                condition=Q(status=Status.RESUELTO, latitude__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["folio"], name="ticket_folio_unique"),
            models.UniqueConstraint(fields=["reporter_token"], name="ticket_reporter_token_unique"),
            # The same legacy number never makes two tickets; its index (number first) also
            # serves /seguimiento/'s lookup of an old number from any source.
            models.UniqueConstraint(
                fields=["legacy_folio", "legacy_source"], name="ticket_legacy_unique", condition=~Q(legacy_folio="")
            ),
            models.CheckConstraint(condition=Q(parent__isnull=True) | ~Q(parent=F("id")), name="ticket_not_own_parent"),
        ]

    def __str__(self):
        return self.folio

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def public_bucket(self):
        return public_bucket(self.status)

    @property
    def resolved_on_time(self):
        """True / False when resolved with a due date; None when the SLA does not apply."""
        return resolved_on_time(self)

    def sla_state_at(self, now=None):
        """The SLA state in Python, for one ticket already in memory (same rules as SQL)."""
        return sla_state_of(self, now)


def _random_name(folder, filename):
    # Random names: the original filename can carry personal data and must not be guessable.
    suffix = PurePath(filename).suffix.lower() or ".jpg"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def photo_path(instance, filename):
    return _random_name("tickets", filename)


class TicketPhoto(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("foto", upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    is_public = models.BooleanField("pública", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "foto"
        verbose_name_plural = "fotos"

    def __str__(self):
        return f"Foto de {self.ticket_id}"


class Submission(models.Model):
    """A form submission already acted on: the same key sent again (double click, reload,
    network retry) gets the first result instead of a second ticket."""

    class Action(models.TextChoices):
        CREATED = "created", "Reporte creado"
        FOLLOWED = "followed", "Se sumó a un reporte"

    # The web form's own key, or an API client's Idempotency-Key in its door's namespace
    # ("open311:…", "app:…"). Unique through Meta.constraints, as the ticket's folio: a
    # field's unique=True adds on PostgreSQL a "LIKE" twin index that no query uses, written
    # on every report.
    key = models.CharField(max_length=128)
    # A digest of what was sent with an API key: the same key with other content is refused
    # instead of answered with someone else's ticket.
    fingerprint = models.CharField(max_length=64, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="submission_key_unique")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.ticket_id}"


def pending_photo_path(instance, filename):
    return f"pending/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


def incoming_photo_path(instance, filename):
    return _random_name("incoming", filename)


class IncomingPhoto(models.Model):
    """A photo sent with a report, checked (a real JPEG, PNG or WebP of a sane size) but not
    cleaned yet: its file is still what the phone wrote, GPS position included, so nothing
    shows it, links to it or exports it. The task tickets.tasks.clean_incoming_photos turns
    it into a TicketPhoto and deletes it (tickets/lifecycle/incoming_photos.py)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incoming_photos")
    image = models.FileField(upload_to=incoming_photo_path)
    is_public = models.BooleanField(default=True)
    via = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "foto por procesar"
        verbose_name_plural = "fotos por procesar"

    def __str__(self):
        return f"Foto por procesar de {self.ticket_id}"


class PendingPhoto(models.Model):
    """A photo already cleaned and stored while its form is sent again after an error, so
    the resident does not have to pick it again. Purged after a day."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    image = models.ImageField(upload_to=pending_photo_path)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return str(self.key)


class TicketEvent(models.Model):
    """One row of the audit trail: who changed what, when, through which door."""

    class Kind(models.TextChoices):
        CREATED = "created", "Reporte recibido"
        ASSIGNED = "assigned", "Asignación"
        ROUTED = "routed", "Turnado a dependencia"
        STATUS = "status", "Cambio de estado"
        NOTE = "note", "Nota"
        UPDATED = "updated", "Datos corregidos"
        REOPENED = "reopened", "Reabierto"
        SLA_PAUSED = "sla_paused", "Plazo en pausa"
        SLA_RESUMED = "sla_resumed", "Plazo reanudado"
        SLA_BREACHED = "sla_breached", "Plazo vencido"
        MERGED = "merged", "Duplicado unido"
        AFFECTED = "affected", "Otro vecino afectado"
        PHOTO = "photo", "Foto agregada"
        MODERATED = "moderated", "Contenido moderado"
        TAGGED = "tagged", "Etiquetas"

    class Via(models.TextChoices):
        WEB = "web", "Web"
        TELEFONO = "telefono", "Teléfono"
        APP = "app", "App"
        API = "api", "API"
        ADMIN = "admin", "Administración"
        SISTEMA = "sistema", "Sistema"
        IMPORTADO = "importado", "Importación"

    # Indexed by event_ticket_idx (ticket, created_at), which starts with it.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField("tipo", max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField("fecha", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept even if the user is deleted later; "Ciudadano" or "Sistema" when there is no user.
    actor_name = models.CharField("quién", max_length=150)
    via = models.CharField("canal", max_length=10, choices=Via.choices)
    is_public = models.BooleanField("pública", default=False)
    old_value = models.CharField("antes", max_length=200, blank=True)
    new_value = models.CharField("después", max_length=200, blank=True)
    note = models.TextField("nota", blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_idx"),
            # Open311's servicerequestupdates: the public changes of every ticket in a window.
            models.Index(fields=["created_at"], name="event_public_created_idx", condition=Q(is_public=True)),
        ]
        verbose_name = "evento"
        verbose_name_plural = "eventos"

    def __str__(self):
        return f"{self.get_kind_display()} · {self.ticket_id}"
