"""Changes that are not status moves: notes, more residents affected, the reporter's
additions, and staff corrections of a ticket's details."""

from django.db import transaction
from django.utils import timezone

from stats import rollups
from tickets import permissions
from tickets.lifecycle.common import (
    Kind,
    Refused,
    Via,
    attach_photos,
    event,
    locked,
    refreshed,
    require_view,
    require_work,
    stored_photos,
)
from tickets.lifecycle.report import DESCRIPTION_LIMIT
from tickets.models import Ticket
from tickets.models.status import OPEN_STATUSES
from tickets.photos import MAX_PHOTOS


def ticket_add_note(*, ticket, actor, text, public=False, via=Via.ADMIN, at=None, actor_label=None):
    """A note on the timeline; internal unless `public`. `actor_label` names a door with no
    user (an Open311 client)."""
    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise Refused("Escriba la nota.", field="note")
    with transaction.atomic():
        t = locked(ticket)
        require_view(actor, t)
        note_event = event(t, Kind.NOTE, actor=actor, via=via, at=at, public=public, note=text, actor_label=actor_label)
        t.save(update_fields=["updated_at"])
    return note_event


def ticket_add_affected(*, ticket, note="", via=Via.WEB, at=None):
    """One more resident reports the same open problem: count them on the ticket.

    Their own words, if any, are kept as an internal note (they may name people or places).
    """
    at = at or timezone.now()
    with transaction.atomic():
        t = locked(ticket)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El reporte {t.folio} ya está cerrado; si el problema sigue, levante un reporte nuevo.")
        t.affected_count += 1
        event(t, Kind.AFFECTED, actor=None, via=via, at=at, public=True, new=str(t.affected_count))
        if note.strip():
            event(t, Kind.NOTE, actor=None, via=via, at=at, public=False, note=note.strip())
        t.save(update_fields=["affected_count", "updated_at"])
    return refreshed(ticket, t)


def ticket_add_reporter_info(*, ticket, text, photos=(), via=Via.WEB, at=None):
    """The reporter adds information (and photos) through their private link while the
    ticket is open. Public, like the description it complements (the form says so)."""
    at = at or timezone.now()
    text = (text or "").strip()
    photos = list(photos)
    if not text:
        raise Refused("Escriba la información que quiere agregar.", field="text")
    if len(photos) > MAX_PHOTOS:
        raise Refused(f"Puede agregar hasta {MAX_PHOTOS} fotos a la vez.", field="photos")
    if len(text) > DESCRIPTION_LIMIT:
        raise Refused(f"La información puede tener hasta 4,000 caracteres (tiene {len(text):,}).", field="text")
    with stored_photos(photos) as stored, transaction.atomic():
        t = locked(ticket)
        if t.status not in OPEN_STATUSES:
            raise Refused(f"El reporte {t.folio} ya está cerrado: ya no se le puede agregar información.")
        note_event = event(t, Kind.NOTE, actor=None, via=via, at=at, public=True, note=text)
        if photos:
            attach_photos(t, stored, actor=None, via=via, at=at, public=True)
        t.save(update_fields=["updated_at"])
    return note_event


# The fields staff may correct directly (the admin's editable fields and the API's PATCH).
EDITABLE_DETAILS = ("service", "priority", "colonia", "address")


def ticket_update_details(*, ticket, actor, via=Via.ADMIN, at=None, **changes):
    """Correct the service, priority, colonia or address; each change is an event."""
    at = at or timezone.now()
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        t = locked(ticket)
        before = rollups.contribution(t)
        require_work(actor, t)
        for name, value in changes.items():
            old = getattr(t, name)
            if old == value:
                continue
            if name == "service" and value.department_id != t.department_id:
                if actor is not None and not permissions.can_route(actor):
                    raise Refused(
                        "Ese servicio es de otra dependencia: solo la Gerencia puede turnarlo.", kind="forbidden"
                    )
                event(t, Kind.ROUTED, actor=actor, via=via, at=at, public=True, old=t.department, new=value.department)
                t.department = value.department
            label = Ticket._meta.get_field(name).verbose_name
            event(
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
    return refreshed(ticket, t)


def ticket_unsubscribe_reporter(*, ticket, at=None):
    """The reporter asked for no more updates of this report (the link in each e-mail). Staff
    see it in the trail; the confirmation already sent stays valid. Idempotent."""
    at = at or timezone.now()
    with transaction.atomic():
        t = locked(ticket)
        if t.reporter_unsubscribed_at is None:
            t.reporter_unsubscribed_at = at
            t.save(update_fields=["reporter_unsubscribed_at", "updated_at"])
            event(t, Kind.NOTE, actor=None, via=Via.WEB, at=at, public=False,
                  note="El ciudadano pidió no recibir más avisos de este reporte.")  # fmt: skip
    return refreshed(ticket, t)


def ticket_set_tags(*, ticket, actor, tags, via=Via.ADMIN, at=None):
    """Staff set the ticket's tags (the routing rules put them too); the trail says which were
    added and removed. Any who works the ticket may; refused if nothing changes."""
    at = at or timezone.now()
    wanted = {tag.pk: tag for tag in tags}
    with transaction.atomic():
        t = locked(ticket)
        require_work(actor, t)
        current = {tag.pk: tag for tag in t.tags.all()}
        added = [wanted[pk] for pk in wanted.keys() - current.keys()]
        removed = [current[pk] for pk in current.keys() - wanted.keys()]
        if not added and not removed:
            raise Refused(f"El ticket {t.folio} ya tiene esas etiquetas.", field="tags")
        t.tags.add(*added)
        t.tags.remove(*removed)
        names = sorted(tag.name for tag in wanted.values())
        event(t, Kind.TAGGED, actor=actor, via=via, at=at, public=False,
              old=", ".join(sorted(tag.name for tag in current.values())), new=", ".join(names) or "—")  # fmt: skip
        t.save(update_fields=["updated_at"])
    return refreshed(ticket, t)
