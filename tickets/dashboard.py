"""The supervisor's dashboard: the figures a supervisor answers for, each linked to the ticket
list that shows its tickets (tickets/admin/dashboard.py renders them; CSV too).

Every figure is one query over an index or the rollups, never a pass over the million
tickets: the backlog and the agents' load read open tickets (the status index), due today
and overdue the SLA expression indexes, the period's figures the tickets created in the
period (the creation index) and the on-time rate the daily rollups the public statistics
use. Everything is limited to what the user may see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import Aggregate, Count, DurationField, F, FloatField, Q
from django.urls import reverse
from django.utils import timezone

from stats.models import Rollup
from tickets import catalogue, permissions
from tickets.models import Service, SlaState, Ticket
from tickets.models.status import OPEN_STATUSES, RUNNING_STATUSES, sla_state_q

AGE_BUCKETS = (  # (parameter value of the list's "abiertos" filter, label, from days, to days)
    ("hoy", "Menos de 1 día", 0, 1),
    ("1-2", "1 a 2 días", 1, 2),
    ("2-5", "2 a 5 días", 2, 5),
    ("mas-5", "Más de 5 días", 5, None),
)
BUSIEST_COLONIAS = 10


def list_url(**params):
    return f"{reverse('admin:tickets_ticket_changelist')}?{urlencode(params)}"


@dataclass
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def last_days(cls, days, today=None):
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    def bounds(self):
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def params(self):
        return {"created_at__gte": self.start.isoformat(), "created_at__lt": (self.end + timedelta(days=1)).isoformat()}


@dataclass
class Dashboard:
    period: Period
    departments: list
    backlog: dict = field(default_factory=dict)  # department id -> [count per AGE_BUCKETS]
    due_today: dict = field(default_factory=dict)
    overdue: dict = field(default_factory=dict)
    on_time_department: dict = field(default_factory=dict)  # id -> (met, measured)
    on_time_service: list = field(default_factory=list)  # [(service, met, measured)]
    reopen: dict = field(default_factory=dict)  # id -> (reopened, created)
    first_action_hours: dict = field(default_factory=dict)  # id -> median hours or None
    resolution_hours: dict = field(default_factory=dict)  # id -> median business hours or None
    colonias: list = field(default_factory=list)  # [(colonia id, name, count)]
    load: list = field(default_factory=list)  # [(user, open count, overdue count)]


def build(user, period, now=None):
    now = now or timezone.now()
    visible = Ticket.objects.visible_to(user).order_by()
    departments = [d for d in catalogue.active_departments() if permissions.sees_department(user, d)]
    board = Dashboard(period=period, departments=departments)
    local_now = timezone.localtime(now)

    # Backlog by department and age (calendar days since the report).
    cases = {}
    for slug, _, low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high))
        cases[slug] = Count("pk", filter=condition)
    for row in visible.filter(status__in=OPEN_STATUSES).values("department_id").annotate(**cases):
        board.backlog[row["department_id"]] = [row[slug] for slug, *_ in AGE_BUCKETS]

    # Due today (still on time or about to be) and overdue, per department.
    end_of_day = local_now.replace(hour=23, minute=59, second=59, microsecond=999999)
    today = visible.filter(status__in=RUNNING_STATUSES, due_at__gt=now, due_at__lte=end_of_day)
    board.due_today = dict(today.values("department_id").annotate(n=Count("pk")).values_list("department_id", "n"))
    overdue = visible.filter(sla_state_q(SlaState.VENCIDO, now))
    board.overdue = dict(overdue.values("department_id").annotate(n=Count("pk")).values_list("department_id", "n"))

    # On time, from the daily rollups of the public statistics (tickets created in the period).
    services = {s.pk: s for s in Service.objects.filter(department__in=board.departments).select_related("department")}
    per_service = defaultdict(lambda: [0, 0])
    cells = Rollup.objects.filter(
        grain="d", dimension="channel", period__gte=period.start, period__lte=period.end, service_id__in=list(services)
    ).values_list("service_id", "sla_met", "sla_measured")
    for service_id, met, measured in cells:
        per_service[service_id][0] += met
        per_service[service_id][1] += measured
    per_department = defaultdict(lambda: [0, 0])
    for service_id, (met, measured) in per_service.items():
        per_department[services[service_id].department_id][0] += met
        per_department[services[service_id].department_id][1] += measured
        if measured:
            board.on_time_service.append((services[service_id], met, measured))
    board.on_time_service.sort(key=lambda row: (row[1] / row[2], row[0].name))
    board.on_time_department = {pk: tuple(v) for pk, v in per_department.items()}

    # Reopen rate and the medians, over the tickets created in the period: one pass of
    # PostgreSQL over the period's rows (at ten million tickets, sending a month's 75,000 rows
    # to Python for the medians cost a quarter of a second); SQLite's medians are taken here.
    start, end = period.bounds()
    created = visible.filter(created_at__gte=start, created_at__lt=end)
    figures = {"n": Count("pk"), "reopened": Count("pk", filter=Q(reopened_count__gt=0))}
    medians_in_sql = connections[created.db].vendor == "postgresql"
    if medians_in_sql:
        figures["first"] = Median(F("first_action_at") - F("created_at"), output_field=DurationField())
        figures["resolution"] = Median("business_hours_to_resolve", output_field=FloatField())
    for row in created.values("department_id").annotate(**figures):
        department_id = row["department_id"]
        board.reopen[department_id] = (row["reopened"], row["n"])
        if row.get("first") is not None:
            board.first_action_hours[department_id] = row["first"].total_seconds() / 3600
        if row.get("resolution") is not None:
            board.resolution_hours[department_id] = row["resolution"]
    if not medians_in_sql:
        _medians_in_python(board, created)

    # The busiest colonias of the last seven days.
    week = visible.filter(created_at__gte=now - timedelta(days=7), colonia__isnull=False)
    board.colonias = list(
        week.values("colonia_id", "colonia__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "colonia__name")
        .values_list("colonia_id", "colonia__name", "n")[:BUSIEST_COLONIAS]
    )

    # The agents' load: open tickets per assignee, and how many of them are overdue.
    load = (
        visible.filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=sla_state_q(SlaState.VENCIDO, now)))
        .order_by("-n")
    )
    rows = list(load)
    users = get_user_model().objects.in_bulk([row["assignee_id"] for row in rows])
    board.load = [(users[row["assignee_id"]], row["n"], row["late"]) for row in rows if row["assignee_id"] in users]
    return board


class Median(Aggregate):
    """The median of the non-null values, as statistics.median takes it (PostgreSQL only)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _medians_in_python(board, created):
    first, resolved = defaultdict(list), defaultdict(list)
    timed = created.filter(Q(first_action_at__isnull=False) | Q(business_hours_to_resolve__isnull=False))
    for department_id, at, first_at, hours in timed.values_list(
        "department_id", "created_at", "first_action_at", "business_hours_to_resolve"
    ).iterator(chunk_size=5000):
        if first_at is not None:
            first[department_id].append((first_at - at).total_seconds() / 3600)
        if hours is not None:
            resolved[department_id].append(float(hours))
    board.first_action_hours = {pk: median(values) for pk, values in first.items()}
    board.resolution_hours = {pk: median(values) for pk, values in resolved.items()}


def rate(pair):
    numerator, denominator = pair
    return None if not denominator else numerator / denominator


def csv_rows(board):
    """The dashboard as rows for the CSV download: section, subject, measure, value."""
    yield ("sección", "dependencia o tema", "medida", "valor")
    for department in board.departments:
        counts = board.backlog.get(department.pk, [0] * len(AGE_BUCKETS))
        for (_, label, *_), n in zip(AGE_BUCKETS, counts, strict=True):
            yield ("pendientes por antigüedad", department.name, label, n)
        yield ("vencen hoy", department.name, "tickets", board.due_today.get(department.pk, 0))
        yield ("vencidos", department.name, "tickets", board.overdue.get(department.pk, 0))
        met, measured = board.on_time_department.get(department.pk, (0, 0))
        yield ("a tiempo", department.name, f"{met} de {measured}", _percent(rate((met, measured))))
        reopened, created = board.reopen.get(department.pk, (0, 0))
        yield ("reabiertos", department.name, f"{reopened} de {created}", _percent(rate((reopened, created))))
        first = _hours(board.first_action_hours.get(department.pk))
        yield ("mediana a la primera atención", department.name, "horas", first)
        resolution = _hours(board.resolution_hours.get(department.pk))
        yield ("mediana a la resolución", department.name, "horas hábiles", resolution)
    for service, met, measured in board.on_time_service:
        yield ("a tiempo por servicio", service.name, f"{met} de {measured}", _percent(met / measured))
    for _, name, n in board.colonias:
        yield ("colonias con más reportes (7 días)", name, "tickets", n)
    for user, n, late in board.load:
        name = user.get_full_name() or user.get_username()
        yield ("carga por persona", name, "abiertos / vencidos", f"{n} / {late}")


def _percent(value):
    return "" if value is None else f"{value * 100:.1f} %"


def _hours(value):
    return "" if value is None else f"{value:.1f}"
