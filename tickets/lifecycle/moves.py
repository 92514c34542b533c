"""Status moves: assign, start, wait, resolve, close, mark duplicate, reopen; overdue marks.

Each function locks the ticket row for the length of its transaction, checks the move
against the one state machine (tickets/models/status.py) and who may make it
(tickets/permissions.py), keeps the SLA clock and the rollups, and writes the trail.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stats import rollups
from tickets import alerts, outbox, permissions, queues
from tickets.lifecycle.common import Kind, Refused, Via, check_unchanged, event, locked, refreshed, require_work
from tickets.models import Channel, Notification, Status, Ticket
from tickets.models.status import ALLOWED_MOVES, OPEN_STATUSES
from tickets.sla import due_dates, get_calendar


def _check_move(ticket, new_status):
    old = Status(ticket.status)
    if new_status in ALLOWED_MOVES[old]:
        return
    if old in (Status.NO_PROCEDE, Status.DUPLICADO):
        raise Refused(f"El ticket {ticket.folio} está cerrado como «{old.label}» y ya no cambia de estado.")
    allowed = ", ".join(f"«{Status(s).label}»" for s in sorted(ALLOWED_MOVES[old]))
    hint = ""
    if old == Status.NUEVO and new_status == Status.EN_PROCESO:
        hint = " Asígnelo primero."
    raise Refused(
        f"No se puede pasar el ticket {ticket.folio} de «{old.label}» a «{Status(new_status).label}»."
        f" Desde «{old.label}» solo puede pasar a {allowed}.{hint}"
    )


def _set_status(ticket, new_status, *, actor, via, at, note="", public=True):
    _check_move(ticket, new_status)
    old = ticket.status
    ticket.status = new_status
    event(
        ticket,
        Kind.STATUS,
        actor=actor,
        via=via,
        at=at,
        public=public,
        old=Status(old).label,
        new=Status(new_status).label,
        note=note,
    )


def _resume_clock(ticket, *, actor, via, at, calendar):
    """Leaving en_espera: move the due dates out by the business time spent waiting."""
    if ticket.sla_paused_at is None:
        return
    if ticket.due_at is not None:
        waited = calendar.between(ticket.sla_paused_at, at)
        old_due = ticket.due_at
        ticket.due_at = calendar.add(ticket.due_at, waited)
        ticket.due_soon_at = calendar.add(ticket.due_soon_at, waited)
        event(
            ticket,
            Kind.SLA_RESUMED,
            actor=actor,
            via=via,
            at=at,
            public=False,
            old=timezone.localtime(old_due).isoformat(),
            new=timezone.localtime(ticket.due_at).isoformat(),
        )
    ticket.sla_paused_at = None


def ticket_assign(*, ticket, actor, assignee=None, department=None, note="", via=Via.ADMIN, at=None):
    """Route to a department and/or a person; a new ticket becomes `asignado`."""
    at = at or timezone.now()
    with transaction.atomic():
        t = locked(ticket)
        require_work(actor, t)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El ticket {t.folio} está cerrado; reábralo antes de asignarlo.")
        changed = False
        if department is not None and department.pk != t.department_id:
            if actor is not None and not permissions.can_route(actor):
                raise Refused("Solo la Gerencia puede turnar un ticket a otra dependencia.", kind="forbidden")
            event(t, Kind.ROUTED, actor=actor, via=via, at=at, public=True, old=t.department, new=department)
            t.department = department
            if t.assignee_id and not permissions.may_be_assigned(t.assignee, department):
                t.assignee = None
            changed = True
        if assignee is not None and assignee.pk != t.assignee_id:
            if not permissions.may_be_assigned(assignee, t.department):
                raise Refused(f"{assignee.get_username()} no pertenece a {t.department}.", field="assignee")
            event(
                t,
                Kind.ASSIGNED,
                actor=actor,
                via=via,
                at=at,
                public=False,
                old=t.assignee or "",
                new=assignee,
                note=note,
            )
            t.assignee = assignee
            alerts.assigned(t, assignee, actor)
            queues.forget_mine(assignee.pk)
            changed = True
        if not changed:
            raise Refused(f"El ticket {t.folio} ya tiene esa asignación.")
        if t.status == Status.NUEVO:
            _set_status(t, Status.ASIGNADO, actor=actor, via=via, at=at)
        t.save()
    return refreshed(ticket, t)


def ticket_start(*, ticket, actor, note="", via=Via.ADMIN, at=None):
    """Work under way: from `asignado`, or back from `en_espera` (the clock resumes)."""
    at = at or timezone.now()
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        require_work(actor, t)
        if t.status == Status.RESUELTO:
            raise Refused(f"El ticket {t.folio} está resuelto: use «Reabrir» para volver a trabajarlo.")
        _check_move(t, Status.EN_PROCESO)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.EN_PROCESO, actor=actor, via=via, at=at, note=note)
        t.save()
        rollups.record(before, rollups.contribution(t))
    return refreshed(ticket, t)


def ticket_wait(*, ticket, actor, reason, public, via=Via.ADMIN, at=None):
    """Waiting on the citizen or a third party: the SLA clock pauses. The status is public;
    the reason is published only when `public` is True, else kept as an internal note. No
    default: whoever puts a ticket on hold says which (a reason may name a person or a
    supplier)."""
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique qué se espera (por ejemplo, material o respuesta del ciudadano).", field="note")
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        require_work(actor, t)
        _set_status(t, Status.EN_ESPERA, actor=actor, via=via, at=at, note=reason.strip() if public else "")
        if not public:
            event(t, Kind.NOTE, actor=actor, via=via, at=at, public=False, note=reason.strip())
        t.sla_paused_at = at
        event(t, Kind.SLA_PAUSED, actor=actor, via=via, at=at, public=False)
        t.save()
        rollups.record(before, rollups.contribution(t))
    return refreshed(ticket, t)


def ticket_resolve(*, ticket, actor, public_note, via=Via.ADMIN, at=None):
    """The department says it is fixed; the note tells the public what was done."""
    at = at or timezone.now()
    if not (public_note or "").strip():
        raise Refused("Escriba una nota pública que diga qué se hizo.", field="note")
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        require_work(actor, t)
        _check_move(t, Status.RESUELTO)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.RESUELTO, actor=actor, via=via, at=at, note=public_note.strip())
        t.resolved_at = t.closed_at = at
        hours = get_calendar().between(t.created_at, at).total_seconds() / 3600
        t.business_hours_to_resolve = Decimal(hours).quantize(Decimal("0.01"))
        t.save()
        rollups.record(before, rollups.contribution(t))
        if t.reporter_email:
            outbox.promise(Notification.Kind.RESOLVED, t)
    return refreshed(ticket, t)


def ticket_close_no_procede(*, ticket, actor, reason, via=Via.ADMIN, at=None):
    """Close without action (not municipal, invalid, emergency re-routed). The reason is public."""
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique por qué no procede.", field="note")
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        require_work(actor, t)
        _check_move(t, Status.NO_PROCEDE)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.NO_PROCEDE, actor=actor, via=via, at=at, note=reason.strip())
        t.closed_at = at
        t.save()
        rollups.record(before, rollups.contribution(t))
    return refreshed(ticket, t)


def ticket_mark_duplicate(*, ticket, parent, actor, via=Via.ADMIN, at=None):
    """Close as a duplicate of `parent`; its residents count as affected on the parent."""
    at = at or timezone.now()
    if parent.pk == ticket.pk:
        raise Refused("Un ticket no puede ser duplicado de sí mismo.", field="parent")
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        locked = {
            row.pk: row
            for row in Ticket.objects.select_for_update().filter(pk__in=[ticket.pk, parent.pk]).order_by("pk")
        }
        t, p = locked[ticket.pk], locked[parent.pk]
        check_unchanged(t)
        before = rollups.contribution(t)
        require_work(actor, t)
        if p.status == Status.DUPLICADO:
            principal = Ticket.objects.filter(pk=p.parent_id).values_list("folio", flat=True).first()
            raise Refused(
                f"{p.folio} ya es duplicado de {principal or 'otro ticket'}: marque este ticket como duplicado "
                "del ticket principal.",
                field="parent",
            )
        _check_move(t, Status.DUPLICADO)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.DUPLICADO, actor=actor, via=via, at=at, note=f"Duplicado de {p.folio}.")
        t.parent = p
        t.closed_at = at
        t.save()
        rollups.record(before, rollups.contribution(t))
        p.affected_count += t.affected_count
        p.save(update_fields=["affected_count", "updated_at"])
        event(
            p, Kind.MERGED, actor=actor, via=via, at=at, public=True, new=t.folio, note=f"Se unió el reporte {t.folio}."
        )
    return refreshed(ticket, t)


def reopen_refusal(ticket, *, actor=None, at=None):
    """Why `actor` (None: the reporter, through their private link) may not reopen the
    ticket now, or None if they may. The one statement of who may reopen, until when."""
    at = at or timezone.now()
    if ticket.status != Status.RESUELTO:
        return f"Solo un ticket resuelto se puede reabrir; {ticket.folio} está «{ticket.get_status_display()}»."
    if actor is None:
        # The reporter: within REOPEN_WINDOW_DAYS of the resolution.
        if ticket.resolved_at is None or at - ticket.resolved_at > timedelta(days=settings.REOPEN_WINDOW_DAYS):
            return (
                f"Han pasado más de {settings.REOPEN_WINDOW_DAYS} días desde que se resolvió; "
                "levante un nuevo reporte o llame al *7311."
            )
        return None
    # Staff who work the ticket's department: at any time.
    if not permissions.can_work(actor, ticket):
        return "No tiene permiso para atender tickets de esta dependencia."
    return None


def may_reopen(ticket, *, actor=None, at=None):
    return reopen_refusal(ticket, actor=actor, at=at) is None


def ticket_reopen(*, ticket, reason, actor=None, via=Via.ADMIN, at=None):
    """Resolved → en_proceso: by staff, or by the reporter (actor=None) within the window.

    The SLA clock restarts from now and the department is notified after commit.
    """
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique por qué se reabre.", field="note")
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        refusal = reopen_refusal(t, actor=actor, at=at)
        if refusal:
            forbidden = actor is not None and not permissions.can_work(actor, t)
            raise Refused(refusal, kind="forbidden" if forbidden else None)
        _set_status(t, Status.EN_PROCESO, actor=actor, via=via, at=at)
        event(t, Kind.REOPENED, actor=actor, via=via, at=at, public=True, note=reason.strip())
        t.resolved_at = t.closed_at = t.sla_breached_at = t.business_hours_to_resolve = None
        t.reopened_count += 1
        if t.service.sla_hours and t.channel != Channel.IMPORTADO:
            t.due_at, t.due_soon_at = due_dates(at, t.service.sla_hours, get_calendar())
        t.save()
        rollups.record(before, rollups.contribution(t))
        outbox.promise(Notification.Kind.REOPENED, t)
    return refreshed(ticket, t)


def tickets_mark_overdue(now=None, batch=500):
    """Record the breach of every open ticket past its due date, once (a Celery beat job).

    Each ticket is claimed with a conditional UPDATE, so two workers running this at the
    same time never write the same breach twice. Returns how many were marked.
    """
    now = now or timezone.now()
    marked = 0
    candidates = (
        Ticket.objects.in_sla_state("vencido", now).filter(sla_breached_at__isnull=True).values_list("pk", flat=True)
    )
    for pk in list(candidates[:batch]):
        with transaction.atomic():
            claimed = Ticket.objects.filter(pk=pk, sla_breached_at__isnull=True).update(sla_breached_at=now)
            if not claimed:
                continue
            ticket = Ticket.objects.get(pk=pk)
            event(
                ticket,
                Kind.SLA_BREACHED,
                actor=None,
                via=Via.SISTEMA,
                at=now,
                public=False,
                new=timezone.localtime(ticket.due_at).isoformat(),
            )
            alerts.overdue(ticket, now)
            marked += 1
    return marked
