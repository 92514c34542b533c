"""The staff's queues: the few lists a Zendesk agent starts the day from.

Each queue is a filter of the ticket list (`?cola=<slug>`), so it composes with the other
filters, a search and the saved views. Its count is capped (CAP: "100+") and every queue
reads an index (tickets/models/ticket.py): the assignee's, the
partial indexes of unassigned and of reopened open tickets, the SLA expressions', the
status's. A supervisor's table per department is one GROUP BY per queue over the same
indexes.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tickets import catalogue, permissions
from tickets.models import SlaState, Status, Ticket
from tickets.models.status import OPEN_STATUSES, sla_state_q

# A queue's count stops here ("100+"): past a hundred the number changes nothing for the
# agent, and counting a thousand overdue tickets was most of the ticket list's cost at ten
# million (the list's own count stops at 1,000: tickets/admin/listing.py).
CAP = 100


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    # One line for the home page: what is in it and why it matters.
    help: str
    per_department: bool = True  # a column of the supervisor's table

    def q(self, user, now=None):
        return _FILTERS[self.slug](user, now or timezone.now())


QUEUES = (
    Queue("mios", "Mis tickets", "Abiertos y asignados a usted.", per_department=False),
    Queue("sin-asignar", "Sin asignar", "Abiertos sin responsable: tómelos o asígnelos."),
    Queue("por-vencer", "Por vencer", "Les queda poco del plazo de 48 horas hábiles."),
    Queue("vencidos", "Vencidos", "Pasaron su plazo y siguen abiertos."),
    Queue("en-espera", "En espera", "Pausados esperando material, a otra dependencia o al ciudadano."),
    Queue("reabiertos", "Reabiertos", "El ciudadano o el personal los reabrió: siguen abiertos."),
)
BY_SLUG = {queue.slug: queue for queue in QUEUES}

_FILTERS = {
    "mios": lambda user, now: Q(assignee=user, status__in=OPEN_STATUSES),
    "sin-asignar": lambda user, now: Q(assignee__isnull=True, status__in=OPEN_STATUSES),
    "por-vencer": lambda user, now: sla_state_q(SlaState.POR_VENCER, now),
    "vencidos": lambda user, now: sla_state_q(SlaState.VENCIDO, now),
    "en-espera": lambda user, now: Q(status=Status.EN_ESPERA),
    "reabiertos": lambda user, now: Q(reopened_count__gt=0, status__in=OPEN_STATUSES),
}


def label(queue, user):
    """ "Sin asignar de mi dependencia" for department staff, who see only their own."""
    if queue.slug == "sin-asignar" and not user.has_perm("tickets.view_all_tickets"):
        return "Sin asignar de mi dependencia"
    return queue.label


def tickets(queue, user, now=None):
    return Ticket.objects.visible_to(user).filter(queue.q(user, now))


@dataclass(frozen=True)
class QueueCount:
    """A capped count: `shown` is "1,000+" past CAP."""

    value: int

    def __bool__(self):
        return self.value > 0

    @property
    def capped(self):
        return self.value > CAP

    def __str__(self):
        return f"{CAP:,}+" if self.capped else f"{self.value:,}"


def capped_count(queryset):
    return QueueCount(queryset.order_by().values("pk")[: CAP + 1].count())


# The counts over the ticket list are kept this long for each user (the home page counts
# afresh every time): six counts were a third of the list's time. The user's own changes and
# a ticket assigned to them clear them at once (forget_mine, from the lifecycle).
KEPT_SECONDS = 30


def _mine_key(user_id):
    return f"queues:mine:{user_id}"


def my_queues(user, now=None, *, kept=False):
    """[(queue, label, count)] for the user's own view of the tickets (one query per queue;
    none when `kept` and counted in the last KEPT_SECONDS)."""
    counts = cache.get(_mine_key(user.pk)) if kept else None
    if counts is None or len(counts) != len(QUEUES):
        now = now or timezone.now()
        counts = [capped_count(tickets(queue, user, now)).value for queue in QUEUES]
        cache.set(_mine_key(user.pk), counts, KEPT_SECONDS)
    return [(queue, label(queue, user), QueueCount(n)) for queue, n in zip(QUEUES, counts, strict=True)]


def forget_mine(*user_ids):
    """After the commit of a change by (or assigning to) these users: their counts afresh."""

    def forget():
        cache.delete_many([_mine_key(pk) for pk in user_ids if pk])

    transaction.on_commit(forget)


TABLE_SECONDS = 60


def by_department(user, now=None):
    """The supervisor's table: [(department, [(queue, count) per column])] for the departments
    the user sees. Each cell is a capped count on its department's index (a GROUP BY read the
    whole backlog: over a second at ten million tickets), and the table is kept for
    TABLE_SECONDS in the shared cache for everyone who sees the same departments: it is an
    overview, and the supervisor's own queues above it are live."""
    now = now or timezone.now()
    everything = user.has_perm("tickets.view_all_tickets")
    shown = [d for d in catalogue.active_departments() if permissions.sees_department(user, d)]
    columns = per_department_columns()
    key = f"queues:table:{'all' if everything else permissions.visible_department_id(user)}"
    kept = cache.get(key)  # Redis down reads as a miss (metepec7311/cache.py): counted now
    if kept is None:
        visible = Ticket.objects.visible_to(user)
        kept = {
            d.pk: [capped_count(visible.filter(queue.q(user, now), department_id=d.pk)).value for queue in columns]
            for d in shown
        }
        cache.set(key, kept, TABLE_SECONDS)
    return [
        (d, [(queue, QueueCount(n)) for queue, n in zip(columns, kept.get(d.pk, [0] * len(columns)), strict=True)])
        for d in shown
    ]


def per_department_columns():
    return [queue for queue in QUEUES if queue.per_department]
