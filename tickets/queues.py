"""The staff's queues: the few lists a Zendesk agent starts the day from.

Each queue is a filter of the ticket list (`?cola=<slug>`), so it composes with the other
filters, a search and the saved views. Its count is capped like the list's (CAP: "más de
1,000") and every queue reads an index (tickets/models/ticket.py): the assignee's, the
partial indexes of unassigned and of reopened open tickets, the SLA expressions', the
status's. A supervisor's table per department is one GROUP BY per queue over the same
indexes.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from tickets import catalogue, permissions
from tickets.models import Department, SlaState, Status, Ticket
from tickets.models.status import OPEN_STATUSES, sla_state_q

CAP = 1_000


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

    @property
    def capped(self):
        return self.value > CAP

    def __str__(self):
        return f"{CAP:,}+" if self.capped else f"{self.value:,}"


def capped_count(queryset):
    return QueueCount(queryset.order_by().values("pk")[: CAP + 1].count())


def my_queues(user, now=None):
    """[(queue, label, count)] for the user's own view of the tickets (one query per queue)."""
    now = now or timezone.now()
    return [(queue, label(queue, user), capped_count(tickets(queue, user, now))) for queue in QUEUES]


def by_department(user, now=None):
    """The supervisor's table: [(department, [(queue, count) per column])] for the departments
    the user sees, one GROUP BY per queue. Departments with nothing in any queue are listed too (a zero is
    news as well)."""
    now = now or timezone.now()
    counts = defaultdict(dict)
    for queue in QUEUES:
        if not queue.per_department:
            continue
        rows = (
            tickets(queue, user, now)
            .order_by()
            .values("department_id")
            .annotate(n=Count("pk"))
            .values_list("department_id", "n")
        )
        for department_id, n in rows:
            counts[department_id][queue.slug] = n
    departments = catalogue.kept(
        "active-departments", lambda: list(Department.objects.filter(is_active=True).order_by("name"))
    )
    own = permissions.visible_department_id(user)
    columns = per_department_columns()
    return [
        (department, [(queue, counts[department.pk].get(queue.slug, 0)) for queue in columns])
        for department in departments
        if user.has_perm("tickets.view_all_tickets") or department.pk == own
    ]


def per_department_columns():
    return [queue for queue in QUEUES if queue.per_department]
