"""What supervisors set up for their teams' daily work: saved views of the ticket list."""

from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# The ticket list's own parameters a saved view may carry (anything else in a pasted URL —
# a page number, a popup flag — is dropped, not saved).
LIST_PARAMETERS = (
    "cola",
    "status__exact",
    "sla",
    "service__id__exact",
    "department__id__exact",
    "delegacion",
    "channel__exact",
    "priority__exact",
    "etiqueta",
    "q",
    "o",
)


def clean_query(text):
    """The list filters in `text` (a query string or a whole URL of the list), normalised."""
    text = (text or "").strip()
    if "?" in text:
        text = text.split("?", 1)[1]
    pairs = [(key, value) for key, value in parse_qsl(text, keep_blank_values=False) if key in LIST_PARAMETERS]
    return urlencode(sorted(pairs))


class SavedViewQuerySet(models.QuerySet):
    def for_user(self, user):
        """The views shared with everyone and those of the user's department."""
        from tickets.permissions import visible_department_id

        department_id = visible_department_id(user)
        shared = Q(department__isnull=True)
        if user.has_perm("tickets.view_all_tickets"):
            return self  # supervisors see every team's views
        return self.filter(shared | Q(department_id=department_id)) if department_id else self.filter(shared)


class SavedView(models.Model):
    """A named filter set of the ticket list ("Baches vencidos de San Felipe"), shared with a
    department's team or with everyone."""

    name = models.CharField("nombre", max_length=80)
    query = models.CharField(
        "filtros",
        max_length=500,
        help_text="Los filtros de la lista de tickets: aplíquelos en la lista y use «Guardar esta vista», "
        "o pegue aquí la dirección de la lista.",
    )
    department = models.ForeignKey(
        "tickets.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name="equipo",
        help_text="La dependencia que la ve; vacío: todo el personal.",
    )
    position = models.PositiveSmallIntegerField("orden", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField("creada", default=timezone.now, editable=False)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        verbose_name = "vista guardada"
        verbose_name_plural = "vistas guardadas"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.query = clean_query(self.query)
        if not self.query:
            raise ValidationError({"query": "La vista no tiene ningún filtro de la lista de tickets."})

    def get_list_url(self):
        return f"{reverse('admin:tickets_ticket_changelist')}?{self.query}"


class MacroQuerySet(models.QuerySet):
    def for_ticket(self, ticket):
        """The active macros that apply to `ticket`: its service's, its department's, and the
        ones for everyone."""
        return self.filter(is_active=True).filter(
            Q(service__isnull=True, department__isnull=True)
            | Q(service_id=ticket.service_id)
            | Q(service__isnull=True, department_id=ticket.department_id)
        )


class Macro(models.Model):
    """A reusable reply (Zendesk's macros): a public reply or an internal note, with
    placeholders filled from the ticket, offered on the ticket page of the tickets it applies
    to (tickets/macros.py)."""

    class Kind(models.TextChoices):
        PUBLIC = "publica", "Respuesta pública (se muestra en la página de seguimiento)"
        INTERNAL = "interna", "Nota interna (solo personal)"

    class Action(models.TextChoices):
        NOTE = "note", "Agregar nota"
        WAIT = "wait", "Poner en espera"
        RESOLVE = "resolve", "Resolver"
        NO_PROCEDE = "no_procede", "Cerrar como «no procede»"

    name = models.CharField("nombre", max_length=80)
    kind = models.CharField("tipo", max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    action = models.CharField(
        "acción sugerida",
        max_length=12,
        choices=Action.choices,
        default=Action.NOTE,
        help_text="La acción que se marca al insertarla (se puede cambiar antes de aplicar).",
    )
    body = models.TextField(
        "texto",
        max_length=4000,
        help_text="Puede usar {folio}, {servicio}, {fecha_compromiso}, {colonia}, {direccion} y {dependencia}.",
    )
    service = models.ForeignKey(
        "tickets.Service",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name="servicio",
        help_text="Solo para los tickets de este servicio. Vacío: según la dependencia.",
    )
    department = models.ForeignKey(
        "tickets.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name="dependencia",
        help_text="Solo para los tickets de esta dependencia. Vacío (y sin servicio): para todos.",
    )
    is_active = models.BooleanField("activa", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = MacroQuerySet.as_manager()

    class Meta:
        verbose_name = "respuesta predefinida"
        verbose_name_plural = "respuestas predefinidas"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from tickets.macros import unknown_placeholders

        unknown = unknown_placeholders(self.body or "")
        if unknown:
            names = ", ".join("{" + name + "}" for name in unknown)
            raise ValidationError({"body": f"No se reconoce {names}. Use {{folio}}, {{servicio}}, "
                                   "{fecha_compromiso}, {colonia}, {direccion} o {dependencia}."})  # fmt: skip
        if self.service_id and self.department_id and self.service.department_id != self.department_id:
            raise ValidationError({"service": "Ese servicio es de otra dependencia."})


class Tag(models.Model):
    """A label staff and routing rules put on tickets ("escuela", "lluvias", "prensa")."""

    name = models.CharField("nombre", max_length=40, unique=True)

    class Meta:
        verbose_name = "etiqueta"
        verbose_name_plural = "etiquetas"
        ordering = ["name"]

    def __str__(self):
        return self.name


class RoutingRule(models.Model):
    """ "Tickets of service X in delegación Y go to person Z", "tickets with the word W get
    priority alta": applied in order to every new report, in the lifecycle, and written in the
    ticket's trail with the rule's name (tickets/routing.py). Every condition given must hold;
    every effect given applies."""

    name = models.CharField("nombre", max_length=80)
    position = models.PositiveSmallIntegerField("orden", default=0, help_text="Las reglas se aplican de menor a mayor.")
    is_active = models.BooleanField("activa", default=True)
    # Conditions
    service = models.ForeignKey(
        "tickets.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="servicio"
    )
    delegacion = models.ForeignKey(
        "tickets.Delegacion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="delegación",
    )
    word = models.CharField(
        "palabra",
        max_length=60,
        blank=True,
        help_text="En la descripción o la dirección; sin importar mayúsculas ni acentos, palabra completa.",
    )
    # Effects
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="asignar a",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    priority = models.CharField(
        "prioridad",
        max_length=10,
        blank=True,
        choices=[("alta", "Alta"), ("urgente", "Urgente"), ("baja", "Baja"), ("normal", "Normal")],
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="+", verbose_name="etiquetas")

    class Meta:
        verbose_name = "regla de asignación"
        verbose_name_plural = "reglas de asignación"
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def clean(self):
        if not (self.service_id or self.delegacion_id or self.word.strip()):
            raise ValidationError("Una regla necesita al menos una condición: servicio, delegación o palabra.")
        if self.assignee_id and self.service_id:
            from tickets.permissions import may_be_assigned

            if not may_be_assigned(self.assignee, self.service.department):
                raise ValidationError(
                    {"assignee": f"{self.assignee.get_username()} no atiende tickets de {self.service.department}."}
                )
