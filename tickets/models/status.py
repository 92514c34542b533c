"""The status vocabulary and every rule derived from it, each written once.

DESIGN.md's status table lives here as `PUBLIC_BUCKET`; the banner, the statistics, the
open data (in Python, as an ORM expression and in the COPY export's SQL, which is compiled
from that expression) and Open311's open/closed all read it. The "resolved on time" rule
behind every SLA figure is `resolved_on_time()` / `resolved_on_time_q()`, side by side so
the Python and the SQL can never disagree (tests/test_rules.py checks they agree).
"""

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone


class Status(models.TextChoices):
    NUEVO = "nuevo", "Nuevo"
    ASIGNADO = "asignado", "Asignado"
    EN_PROCESO = "en_proceso", "En proceso"
    EN_ESPERA = "en_espera", "En espera"
    RESUELTO = "resuelto", "Resuelto"
    NO_PROCEDE = "no_procede", "No procede"
    DUPLICADO = "duplicado", "Duplicado"


class PublicBucket(models.TextChoices):
    """How the public numbers group the statuses (DESIGN.md, public numbers)."""

    EN_PROCESO = "en_proceso", "En proceso"
    RESUELTO = "resuelto", "Resuelto"
    CERRADO_SIN_ATENCION = "cerrado_sin_atencion", "Cerrado sin atención"


PUBLIC_BUCKET = {
    Status.NUEVO: PublicBucket.EN_PROCESO,
    Status.ASIGNADO: PublicBucket.EN_PROCESO,
    Status.EN_PROCESO: PublicBucket.EN_PROCESO,
    Status.EN_ESPERA: PublicBucket.EN_PROCESO,
    Status.RESUELTO: PublicBucket.RESUELTO,
    Status.NO_PROCEDE: PublicBucket.CERRADO_SIN_ATENCION,
    Status.DUPLICADO: PublicBucket.CERRADO_SIN_ATENCION,
}


def statuses_in(bucket):
    return tuple(status for status, b in PUBLIC_BUCKET.items() if b == bucket)


OPEN_STATUSES = statuses_in(PublicBucket.EN_PROCESO)
CLOSED_STATUSES = tuple(status for status in Status if status not in OPEN_STATUSES)
CLOSED_WITHOUT_ACTION = statuses_in(PublicBucket.CERRADO_SIN_ATENCION)
# Open and with the SLA clock running (en_espera pauses it).
RUNNING_STATUSES = tuple(status for status in OPEN_STATUSES if status != Status.EN_ESPERA)


def public_bucket(status):
    return PUBLIC_BUCKET[Status(status)]


def public_bucket_expression(field="status"):
    """The same table as an ORM expression (a CASE on the status column)."""
    whens = [When(**{f"{field}__in": statuses_in(bucket)}, then=Value(bucket.value)) for bucket in PublicBucket]
    return Case(*whens, output_field=models.CharField())


# Open311 GeoReport v2 has two statuses; "open" is the public "en proceso" bucket.
OPEN311_OPEN, OPEN311_CLOSED = "open", "closed"


def open311_status(status):
    return OPEN311_OPEN if public_bucket(status) == PublicBucket.EN_PROCESO else OPEN311_CLOSED


def statuses_for_open311(value):
    return OPEN_STATUSES if value == OPEN311_OPEN else CLOSED_STATUSES


# The state machine (DESIGN.md, allowed moves). Leaving `resuelto` is only a reopening.
ALLOWED_MOVES = {
    Status.NUEVO: {Status.ASIGNADO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.ASIGNADO: {Status.EN_PROCESO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.EN_PROCESO: {Status.EN_ESPERA, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.EN_ESPERA: {Status.EN_PROCESO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.RESUELTO: {Status.EN_PROCESO},
    Status.NO_PROCEDE: set(),
    Status.DUPLICADO: set(),
}


def may_move(status, new_status):
    return Status(new_status) in ALLOWED_MOVES[Status(status)]


class SlaState(models.TextChoices):
    A_TIEMPO = "a_tiempo", "A tiempo"
    POR_VENCER = "por_vencer", "Por vencer"
    VENCIDO = "vencido", "Vencido"
    CUMPLIDO = "cumplido", "Cumplido"
    INCUMPLIDO = "incumplido", "Incumplido"
    # Imported history, services without a deadline, and tickets closed without action
    # (no_procede, duplicado) are left out of SLA figures.
    NO_APLICA = "no_aplica", "No aplica"


# --- resolved on time: the rule behind every SLA figure ------------------------------------
# Measured: resolved with a due date (imported history and services without a deadline have
# none). On time: resolved at or before the due date.
SLA_MEASURED_Q = Q(status=Status.RESUELTO, due_at__isnull=False)


def resolved_on_time_q(on_time=True):
    compare = Q(resolved_at__lte=F("due_at")) if on_time else Q(resolved_at__gt=F("due_at"))
    return SLA_MEASURED_Q & compare


def sla_measured(ticket):
    return ticket.status == Status.RESUELTO and ticket.due_at is not None


def resolved_on_time(ticket):
    """True / False for a measured ticket, None when the SLA does not apply."""
    if not sla_measured(ticket):
        return None
    return ticket.resolved_at <= ticket.due_at


def on_time_expression():
    """ "si" / "no" as the open data publishes it; NULL when the SLA does not apply."""
    return Case(
        When(resolved_on_time_q(True), then=Value("si")),
        When(SLA_MEASURED_Q, then=Value("no")),
        output_field=models.CharField(),
    )


def running_clock(field):
    """`field` (due_at or due_soon_at) of the tickets whose clock runs, NULL for every other.

    The SLA indexes are built on these expressions (tickets/models/ticket.py), and so
    PostgreSQL keeps statistics of the running tickets' deadlines alone. On the columns, it
    multiplied "open" by "due before now" as if they were unrelated and expected 32,000
    overdue tickets out of a million where there were 77; with a LIMIT it then chose to read
    the whole table (200 ms for the staff list's count instead of 0.3).
    """
    return Case(When(status__in=RUNNING_STATUSES, then=F(field)), default=None, output_field=models.DateTimeField())


def sla_state_q(state, now=None):
    """A filter for tickets in one SLA state at `now`, written on indexed expressions.

    While a ticket waits (en_espera) its clock is frozen at `sla_paused_at`, so the state is
    judged at that moment instead of now.
    """
    now = now or timezone.now()
    due, due_soon = running_clock("due_at"), running_clock("due_soon_at")
    waiting = Q(status=Status.EN_ESPERA, due_at__isnull=False, sla_paused_at__isnull=False)
    if state == SlaState.VENCIDO:
        return Q(LessThanOrEqual(due, now)) | (waiting & Q(due_at__lte=F("sla_paused_at")))
    if state == SlaState.POR_VENCER:
        return Q(LessThanOrEqual(due_soon, now), GreaterThan(due, now)) | (
            waiting & Q(due_soon_at__lte=F("sla_paused_at"), due_at__gt=F("sla_paused_at"))
        )
    if state == SlaState.A_TIEMPO:
        # due > due_soon always: the redundant condition lets the deadlines' index serve it.
        return Q(GreaterThan(due, now), GreaterThan(due_soon, now)) | (waiting & Q(due_soon_at__gt=F("sla_paused_at")))
    if state == SlaState.CUMPLIDO:
        return resolved_on_time_q(True)
    if state == SlaState.INCUMPLIDO:
        return resolved_on_time_q(False)
    if state == SlaState.NO_APLICA:
        return Q(due_at__isnull=True) | Q(status__in=CLOSED_WITHOUT_ACTION)
    raise ValueError(f"unknown SLA state {state!r}")


def sla_state_of(ticket, now=None):
    """The SLA state in Python, for one ticket already in memory (same rules as SQL)."""
    now = now or timezone.now()
    if ticket.due_at is None or ticket.status in CLOSED_WITHOUT_ACTION:
        return SlaState.NO_APLICA
    on_time = resolved_on_time(ticket)
    if on_time is not None:
        return SlaState.CUMPLIDO if on_time else SlaState.INCUMPLIDO
    moment = ticket.sla_paused_at if ticket.status == Status.EN_ESPERA and ticket.sla_paused_at else now
    if ticket.due_at <= moment:
        return SlaState.VENCIDO
    if ticket.due_soon_at <= moment:
        return SlaState.POR_VENCER
    return SlaState.A_TIEMPO
