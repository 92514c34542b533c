"""The ticket lifecycle: the one place where tickets are created and change state.

The admin, the citizen pages, the API, imports and Celery tasks all call these functions,
so the allowed moves, the permissions, the SLA clock and the event trail hold whichever
door a change comes through. Each function locks the ticket row for the length of its
transaction, so two people acting on the same ticket at once are applied one after the
other instead of overwriting each other.
"""

import re
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stats import rollups
from tickets import geo, permissions
from tickets.folio import next_folio
from tickets.models import Channel, Priority, Status, Ticket, TicketEvent
from tickets.models.ticket import OPEN_STATUSES
from tickets.sla import due_dates, get_calendar

Via = TicketEvent.Via
Kind = TicketEvent.Kind


class Refused(Exception):
    """A change the rules do not allow. `message` is shown to the user as is (Spanish)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


ALLOWED_MOVES = {
    Status.NUEVO: {Status.ASIGNADO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.ASIGNADO: {Status.EN_PROCESO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.EN_PROCESO: {Status.EN_ESPERA, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.EN_ESPERA: {Status.EN_PROCESO, Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO},
    Status.RESUELTO: {Status.EN_PROCESO},  # only as a reopening, through ticket_reopen()
    Status.NO_PROCEDE: set(),
    Status.DUPLICADO: set(),
}

CHANNEL_VIA = {
    Channel.WEB: Via.WEB,
    Channel.TELEFONO: Via.TELEFONO,
    Channel.APP: Via.APP,
    Channel.API: Via.API,
    Channel.IMPORTADO: Via.IMPORTADO,
}


def normalize_phone(raw):
    """Ten-digit Mexican number from whatever was typed ("+52 (722) 123-4567" → 7221234567)."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 12 and digits.startswith("52"):
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("521"):
        digits = digits[3:]
    return digits


def _actor_name(actor, via):
    if actor is not None:
        return actor.get_full_name() or actor.get_username()
    return "Sistema" if via == Via.SISTEMA else "Ciudadano"


def _event(ticket, kind, *, actor, via, at, public, old="", new="", note=""):
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_name=_actor_name(actor, via),
        via=via,
        created_at=at,
        is_public=public,
        old_value=str(old)[:200],
        new_value=str(new)[:200],
        note=note,
    )


def _locked(ticket):
    return Ticket.objects.select_for_update().select_related("service", "department").get(pk=ticket.pk)


def _refresh(ticket, fresh):
    """Bring the caller's instance up to date with the row we changed."""
    if ticket is not fresh:
        ticket.refresh_from_db()
    return ticket


def _require_work(actor, ticket):
    if actor is not None and not permissions.can_work(actor, ticket):
        raise Refused("No tiene permiso para atender tickets de esta dependencia.")


def _require_view(actor, ticket):
    if actor is not None and not permissions.can_view(actor, ticket):
        raise Refused("No tiene permiso para ver este ticket.")


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
    _event(
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
        _event(
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


def _validate_attributes(service, answers):
    answers = dict(answers or {})
    cleaned = {}
    for attribute in service.attributes.all():
        value = answers.pop(attribute.code, None)
        if value in (None, "", []):
            if attribute.required:
                raise Refused(f"Responda: «{attribute.question}».", field=f"attribute_{attribute.code}")
            continue
        if attribute.choices:
            keys = {choice["key"] for choice in attribute.choices}
            values = value if isinstance(value, list) else [value]
            if any(v not in keys for v in values):
                raise Refused(
                    f"Elija una opción válida para «{attribute.question}».", field=f"attribute_{attribute.code}"
                )
        cleaned[attribute.code] = value
    if answers:
        raise Refused(f"Preguntas desconocidas para este servicio: {', '.join(sorted(answers))}.")
    return cleaned


def ticket_create(
    *,
    service,
    description,
    channel,
    address="",
    colonia=None,
    latitude=None,
    longitude=None,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    priority=Priority.NORMAL,
    attributes=None,
    actor=None,
    at=None,
    calendar=None,
):
    """Register a report and start its SLA clock. Returns the saved ticket with its folio."""
    at = at or timezone.now()
    description = (description or "").strip()
    if not description:
        raise Refused("Describa el problema.", field="description")
    if not service.is_active and channel != Channel.IMPORTADO:
        raise Refused(f"El servicio «{service.name}» ya no se recibe.", field="service")
    if channel in (Channel.WEB, Channel.APP, Channel.API) and (service.is_emergency or not service.citizen_reportable):
        raise Refused(
            "Este servicio no se reporta en línea. En una emergencia llame al 911; para otros casos llame al *7311.",
            field="service",
        )
    if channel == Channel.TELEFONO and actor is not None and not permissions.can_take_calls(actor):
        raise Refused("No tiene permiso para registrar reportes telefónicos.")
    if (latitude is None) != (longitude is None):
        raise Refused("Indique latitud y longitud, o ninguna.", field="location")
    locality_id = None
    if latitude is not None:
        latitude, longitude = geo.quantize(latitude), geo.quantize(longitude)
        if not geo.inside_municipality(latitude, longitude):
            raise Refused(
                "El punto marcado está fuera del municipio de Metepec. "
                "Marque un lugar dentro del municipio o escriba la dirección.",
                field="location",
            )
        locality_id = geo.locality_id_for(latitude, longitude)
    if service.contact_required and not (reporter_phone or reporter_email):
        raise Refused("Este servicio requiere un teléfono o correo para darle seguimiento.", field="reporter_phone")
    answers = _validate_attributes(service, attributes)

    ticket = Ticket(
        service=service,
        department=service.department,
        channel=channel,
        priority=priority,
        description=description,
        address=(address or "").strip(),
        colonia=colonia,
        latitude=latitude,
        longitude=longitude,
        locality_id=locality_id,
        attributes=answers,
        reporter_name=(reporter_name or "").strip(),
        reporter_phone=normalize_phone(reporter_phone),
        reporter_email=(reporter_email or "").strip().lower(),
        created_at=at,
    )
    if service.sla_hours and channel != Channel.IMPORTADO:
        ticket.due_at, ticket.due_soon_at = due_dates(at, service.sla_hours, calendar or get_calendar())
    with transaction.atomic():
        ticket.folio = next_folio(timezone.localtime(at).year)
        ticket.save()
        rollups.record(None, rollups.contribution(ticket))
        via = CHANNEL_VIA[channel]
        _event(ticket, Kind.CREATED, actor=actor, via=via, at=at, public=True, new=Status.NUEVO.label)
    return ticket


def ticket_assign(*, ticket, actor, assignee=None, department=None, note="", via=Via.ADMIN, at=None):
    """Route to a department and/or a person; a new ticket becomes `asignado`."""
    at = at or timezone.now()
    with transaction.atomic():
        t = _locked(ticket)
        _require_work(actor, t)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El ticket {t.folio} está cerrado; reábralo antes de asignarlo.")
        changed = False
        if department is not None and department.pk != t.department_id:
            if actor is not None and not permissions.can_route(actor):
                raise Refused("Solo la Gerencia puede turnar un ticket a otra dependencia.")
            _event(t, Kind.ROUTED, actor=actor, via=via, at=at, public=True, old=t.department, new=department)
            t.department = department
            if t.assignee_id and not _may_be_assigned(t.assignee, department):
                t.assignee = None
            changed = True
        if assignee is not None and assignee.pk != t.assignee_id:
            if not _may_be_assigned(assignee, t.department):
                raise Refused(f"{assignee.get_username()} no pertenece a {t.department}.", field="assignee")
            _event(
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
            changed = True
        if not changed:
            raise Refused(f"El ticket {t.folio} ya tiene esa asignación.")
        if t.status == Status.NUEVO:
            _set_status(t, Status.ASIGNADO, actor=actor, via=via, at=at)
        t.save()
    return _refresh(ticket, t)


def _may_be_assigned(user, department):
    if not user.is_active or not user.is_staff:
        return False
    return user.has_perm("tickets.view_all_tickets") or permissions.visible_department_id(user) == department.pk


def ticket_start(*, ticket, actor, note="", via=Via.ADMIN, at=None):
    """Work under way: from `asignado`, or back from `en_espera` (the clock resumes)."""
    at = at or timezone.now()
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        _require_work(actor, t)
        if t.status == Status.RESUELTO:
            raise Refused(f"El ticket {t.folio} está resuelto: use «Reabrir» para volver a trabajarlo.")
        _check_move(t, Status.EN_PROCESO)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.EN_PROCESO, actor=actor, via=via, at=at, note=note)
        t.save()
        rollups.record(before, rollups.contribution(t))
    return _refresh(ticket, t)


def ticket_wait(*, ticket, actor, reason, via=Via.ADMIN, at=None):
    """Waiting on the citizen or a third party: the SLA clock pauses. The reason is public."""
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique qué se espera (por ejemplo, material o respuesta del ciudadano).", field="note")
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        _require_work(actor, t)
        _set_status(t, Status.EN_ESPERA, actor=actor, via=via, at=at, note=reason.strip())
        t.sla_paused_at = at
        _event(t, Kind.SLA_PAUSED, actor=actor, via=via, at=at, public=False)
        t.save()
        rollups.record(before, rollups.contribution(t))
    return _refresh(ticket, t)


def ticket_resolve(*, ticket, actor, public_note, via=Via.ADMIN, at=None):
    """The department says it is fixed; the note tells the public what was done."""
    at = at or timezone.now()
    if not (public_note or "").strip():
        raise Refused("Escriba una nota pública que diga qué se hizo.", field="note")
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        _require_work(actor, t)
        _check_move(t, Status.RESUELTO)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.RESUELTO, actor=actor, via=via, at=at, note=public_note.strip())
        t.resolved_at = t.closed_at = at
        hours = get_calendar().between(t.created_at, at).total_seconds() / 3600
        t.business_hours_to_resolve = Decimal(hours).quantize(Decimal("0.01"))
        t.save()
        rollups.record(before, rollups.contribution(t))
        if t.reporter_email:
            ticket_id = t.pk
            transaction.on_commit(lambda: _queue_resolved_notice(ticket_id))
    return _refresh(ticket, t)


def ticket_close_no_procede(*, ticket, actor, reason, via=Via.ADMIN, at=None):
    """Close without action (not municipal, invalid, emergency re-routed). The reason is public."""
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique por qué no procede.", field="note")
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        _require_work(actor, t)
        _check_move(t, Status.NO_PROCEDE)
        _resume_clock(t, actor=actor, via=via, at=at, calendar=get_calendar())
        _set_status(t, Status.NO_PROCEDE, actor=actor, via=via, at=at, note=reason.strip())
        t.closed_at = at
        t.save()
        rollups.record(before, rollups.contribution(t))
    return _refresh(ticket, t)


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
        before = rollups.contribution(t)
        _require_work(actor, t)
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
        _event(
            p, Kind.MERGED, actor=actor, via=via, at=at, public=True, new=t.folio, note=f"Se unió el reporte {t.folio}."
        )
    return _refresh(ticket, t)


def ticket_reopen(*, ticket, reason, actor=None, via=Via.ADMIN, at=None):
    """Resolved → en_proceso: by staff, or by the reporter (actor=None) within the window.

    The SLA clock restarts from now and the department is notified after commit.
    """
    at = at or timezone.now()
    if not (reason or "").strip():
        raise Refused("Explique por qué se reabre.", field="note")
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        if t.status != Status.RESUELTO:
            raise Refused(f"Solo un ticket resuelto se puede reabrir; {t.folio} está «{t.get_status_display()}».")
        if actor is None:
            window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
            if at - t.resolved_at > window:
                raise Refused(
                    f"Han pasado más de {settings.REOPEN_WINDOW_DAYS} días desde que se resolvió; "
                    "levante un nuevo reporte o llame al *7311."
                )
        else:
            _require_work(actor, t)
        _set_status(t, Status.EN_PROCESO, actor=actor, via=via, at=at)
        _event(t, Kind.REOPENED, actor=actor, via=via, at=at, public=True, note=reason.strip())
        t.resolved_at = t.closed_at = t.sla_breached_at = t.business_hours_to_resolve = None
        t.reopened_count += 1
        if t.service.sla_hours and t.channel != Channel.IMPORTADO:
            t.due_at, t.due_soon_at = due_dates(at, t.service.sla_hours, get_calendar())
        t.save()
        rollups.record(before, rollups.contribution(t))
        ticket_id = t.pk
        transaction.on_commit(lambda: _queue_reopened_notice(ticket_id))
    return _refresh(ticket, t)


def _queue_resolved_notice(ticket_id):
    from tickets.tasks import notify_reporter_resolved

    notify_reporter_resolved.delay(ticket_id=ticket_id)


def _queue_reopened_notice(ticket_id):
    from tickets.tasks import notify_reopened

    notify_reopened.delay(ticket_id=ticket_id)


def ticket_add_note(*, ticket, actor, text, public=False, via=Via.ADMIN, at=None):
    """A note on the timeline; internal unless `public`."""
    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise Refused("Escriba la nota.", field="note")
    with transaction.atomic():
        t = _locked(ticket)
        _require_view(actor, t)
        event = _event(t, Kind.NOTE, actor=actor, via=via, at=at, public=public, note=text)
        t.save(update_fields=["updated_at"])
    return event


def ticket_add_affected(*, ticket, note="", via=Via.WEB, at=None):
    """One more resident reports the same open problem: count them on the ticket.

    Their own words, if any, are kept as an internal note (they may name people or places).
    """
    at = at or timezone.now()
    with transaction.atomic():
        t = _locked(ticket)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El reporte {t.folio} ya está cerrado; si el problema sigue, levante un reporte nuevo.")
        t.affected_count += 1
        _event(t, Kind.AFFECTED, actor=None, via=via, at=at, public=True, new=str(t.affected_count))
        if note.strip():
            _event(t, Kind.NOTE, actor=None, via=via, at=at, public=False, note=note.strip())
        t.save(update_fields=["affected_count", "updated_at"])
    return _refresh(ticket, t)


def ticket_add_reporter_info(*, ticket, text, via=Via.WEB, at=None):
    """The reporter adds information through their private link while the ticket is open.

    Public, like the description it complements (the form says so).
    """
    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise Refused("Escriba la información que quiere agregar.", field="text")
    with transaction.atomic():
        t = _locked(ticket)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El reporte {t.folio} ya está cerrado: ya no se le puede agregar información.")
        event = _event(t, Kind.NOTE, actor=None, via=via, at=at, public=True, note=text)
        t.save(update_fields=["updated_at"])
    return event


EDITABLE_DETAILS = ("service", "priority", "colonia", "address")


def ticket_update_details(*, ticket, actor, via=Via.ADMIN, at=None, **changes):
    """Correct the service, priority, colonia or address; each change is an event."""
    at = at or timezone.now()
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        t = _locked(ticket)
        before = rollups.contribution(t)
        _require_work(actor, t)
        for name, value in changes.items():
            old = getattr(t, name)
            if old == value:
                continue
            if name == "service" and value.department_id != t.department_id:
                if actor is not None and not permissions.can_route(actor):
                    raise Refused("Ese servicio es de otra dependencia: solo la Gerencia puede turnarlo.")
                _event(t, Kind.ROUTED, actor=actor, via=via, at=at, public=True, old=t.department, new=value.department)
                t.department = value.department
            label = Ticket._meta.get_field(name).verbose_name
            _event(
                t,
                Kind.UPDATED,
                actor=actor,
                via=via,
                at=at,
                public=False,
                old=f"{label}: {old or '—'}",
                new=f"{label}: {value or '—'}",
            )
            setattr(t, name, value)
        t.save()
        rollups.record(before, rollups.contribution(t))
    return _refresh(ticket, t)


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
            _event(
                ticket,
                Kind.SLA_BREACHED,
                actor=None,
                via=Via.SISTEMA,
                at=now,
                public=False,
                new=timezone.localtime(ticket.due_at).isoformat(),
            )
            marked += 1
    return marked
