"""The staff's alerts (Zendesk's triggers and automations), promised through the outbox.

- assigned: the new assignee, when someone else assigns the ticket to them (or a rule does);
- por vencer: the assignee and the department's coordinators, once per deadline;
- vencido: the coordinators and the Gerencia's supervisors when the breach is recorded
  (tickets_mark_overdue), and again at the start of each working day it stays so;
- the daily digest per department at the start of the working day: new, due today, overdue.

Who hears what is the department's DepartmentAlerts (admin). Messages of the periodic jobs
carry a unique key, so a job that runs twice (two beat workers, a retry) promises nothing
twice; nobody who may not see a ticket is promised a message about it (and delivery checks
again). Every promise is listed on the ticket's page.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from tickets import outbox, permissions
from tickets.models import Department, DepartmentAlerts, Notification, SlaState, Ticket
from tickets.models.status import OPEN_STATUSES, sla_state_q
from tickets.sla import get_calendar

Kind = Notification.Kind
# How far back the por-vencer job looks for deadlines it has not told (the job runs every
# few minutes; a day covers a worker down overnight).
DUE_SOON_LOOKBACK = timedelta(days=1)
DIGEST_LIST_LIMIT = 50


def supervisors():
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=permissions.SUPERVISOR_GROUP)
        .exclude(email="")
        .distinct()
    )


def _who_may_see(users, ticket):
    seen, kept = set(), []
    for user in users:
        if user is not None and user.pk not in seen and user.email and permissions.can_view(user, ticket):
            seen.add(user.pk)
            kept.append(user)
    return kept


def assigned(ticket, assignee, actor):
    """In the assignment's transaction: tell the new assignee, unless they assigned it to
    themselves."""
    if assignee is None or (actor is not None and actor.pk == assignee.pk):
        return
    if DepartmentAlerts.of(ticket.department).assignee_on_assign and _who_may_see([assignee], ticket):
        outbox.promise(Kind.ASSIGNED, ticket, recipient=assignee)


def _local_day(moment):
    return timezone.localtime(moment).date().isoformat()


def _overdue_rows(ticket, day, alerts, boss):
    users = []
    if alerts.overdue_to_coordinators:
        users += alerts.coordinator_list()
    if alerts.overdue_to_supervisors:
        users += boss
    return [
        Notification(kind=Kind.OVERDUE, ticket=ticket, recipient=user, key=f"vencido:{ticket.pk}:{day}:{user.pk}")
        for user in _who_may_see(users, ticket)
    ]


def overdue(ticket, now):
    """The breach of `ticket`, when it is recorded: coordinators, supervisors."""
    alerts = DepartmentAlerts.of(ticket.department)
    return outbox.promise_once(_overdue_rows(ticket, _local_day(now), alerts, supervisors()))


def due_soon(now=None):
    """Every few minutes (beat): tickets whose "por vencer" moment came since the last run."""
    now = now or timezone.now()
    tickets = (
        Ticket.objects.filter(sla_state_q(SlaState.POR_VENCER, now))
        .filter(due_soon_at__gt=now - DUE_SOON_LOOKBACK)
        .select_related("department", "assignee")
    )
    promised = 0
    settings_of = {}
    for ticket in tickets:
        alerts = settings_of.setdefault(ticket.department_id, DepartmentAlerts.of(ticket.department))
        users = []
        if alerts.due_soon_to_assignee:
            users.append(ticket.assignee)
        if alerts.due_soon_to_coordinators:
            users += alerts.coordinator_list()
        stamp = timezone.localtime(ticket.due_soon_at).strftime("%Y%m%d%H%M")
        promised += outbox.promise_once(
            Notification(
                kind=Kind.DUE_SOON, ticket=ticket, recipient=user, key=f"por_vencer:{ticket.pk}:{stamp}:{user.pk}"
            )
            for user in _who_may_see(users, ticket)
        )
    return promised


def start_of_day(now=None):
    """Every few minutes (beat); acts once the working day has started, once a day: the daily
    digest of each department and the daily reminder of tickets still overdue."""
    now = now or timezone.now()
    window = get_calendar().window(timezone.localtime(now).date())
    if window is None or now < window[0]:
        return 0
    day = _local_day(now)
    promised = 0
    boss = supervisors()
    for department in Department.objects.filter(is_active=True):
        # This runs every few minutes: once a department's morning is done, later runs of the
        # day skip it (the marker is set only when its pass completed; a second pass would
        # promise nothing new anyway, by the keys, but would read the backlog again).
        marker = f"alerts:morning:{department.pk}:{day}"
        if cache.get(marker):
            continue
        alerts = DepartmentAlerts.of(department)
        promised += _digest(department, alerts, day)
        if alerts.overdue_every_day:
            late = Ticket.objects.filter(department=department).filter(sla_state_q(SlaState.VENCIDO, now))
            rows = []
            for ticket in late.select_related("department").iterator(chunk_size=500):
                rows += _overdue_rows(ticket, day, alerts, boss)
                if len(rows) >= 1000:
                    promised += outbox.promise_once(rows)
                    rows = []
            promised += outbox.promise_once(rows)
        cache.set(marker, 1, 36 * 3600)
    return promised


def _digest(department, alerts, day):
    users = []
    if alerts.digest_to_coordinators:
        users += alerts.coordinator_list()
    if alerts.digest_to_staff:
        users += list(get_user_model().objects.filter(is_active=True, staff_profile__department=department))
    recipients = {user.pk: user for user in users if user.email and permissions.sees_department(user, department)}
    return outbox.promise_once(
        Notification(
            kind=Kind.DAILY_DIGEST,
            department=department,
            recipient=user,
            key=f"resumen:{department.pk}:{day}:{user.pk}",
        )
        for user in recipients.values()
    )


def digest_content(department, at):
    """What a department's digest lists, as of `at`: new since the previous working day's
    start, due today, overdue (counts, and the first DIGEST_LIST_LIMIT of each)."""
    local = timezone.localtime(at)
    calendar = get_calendar()
    previous = local.date() - timedelta(days=1)
    while not calendar.is_working_day(previous) and (local.date() - previous).days < 15:
        previous -= timedelta(days=1)
    since = (calendar.window(previous) or (local.replace(hour=0, minute=0) - timedelta(days=1), None))[0]
    end_of_day = local.replace(hour=23, minute=59, second=59)
    tickets = Ticket.objects.filter(department=department).select_related("service", "colonia")
    sections = {
        "new": tickets.filter(created_at__gte=since, status__in=OPEN_STATUSES).order_by("-created_at"),
        "due_today": tickets.filter(sla_state_q(SlaState.A_TIEMPO, at) | sla_state_q(SlaState.POR_VENCER, at))
        .filter(due_at__lte=end_of_day)
        .order_by("due_at"),
        "overdue": tickets.filter(sla_state_q(SlaState.VENCIDO, at)).order_by("due_at"),
    }
    content = {}
    for name, queryset in sections.items():
        content[name] = list(queryset[:DIGEST_LIST_LIMIT])
        content[f"{name}_count"] = queryset.count() if len(content[name]) == DIGEST_LIST_LIMIT else len(content[name])
    return content
