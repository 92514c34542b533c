"""What every lifecycle change shares: the refusal, the event row, the row lock."""

import contextvars
import logging
from contextlib import contextmanager

from django.core.files.images import get_image_dimensions
from django.db import models
from django.utils import timezone

from tickets import notifications, outbox, permissions, queues
from tickets.models import Channel, Ticket, TicketEvent, TicketPhoto

logger = logging.getLogger(__name__)

Via = TicketEvent.Via
Kind = TicketEvent.Kind

CHANNEL_VIA = {
    Channel.WEB: Via.WEB,
    Channel.TELEFONO: Via.TELEFONO,
    Channel.APP: Via.APP,
    Channel.API: Via.API,
    Channel.IMPORTADO: Via.IMPORTADO,
}


class Refused(Exception):
    """A change the rules do not allow, in Spanish, ready to show as is.

    `errors` maps a field name (None: the whole request) to its messages, so a form or an
    API can place each one; `message` and `field` are the first of them. `kind` tells an API
    what to answer: "invalid" input (a field is named), a "conflict" with the ticket's state
    (the move is not possible now), or "forbidden" (the person may not do it).
    """

    def __init__(self, message=None, field=None, *, errors=None, kind=None):
        if errors is None:
            errors = {field: [message]}
        self.errors = {key: list(messages) for key, messages in errors.items() if messages}
        self.field, messages = next(iter(self.errors.items()))
        self.message = messages[0]
        self.kind = kind or ("invalid" if self.field else "conflict")
        super().__init__(self.message)


class Problems:
    """Collects every refusal of one request before raising them together."""

    def __init__(self):
        self.errors = {}

    def add(self, field, message):
        self.errors.setdefault(field, []).append(message)

    def __contains__(self, field):
        return field in self.errors

    def raise_any(self):
        if self.errors:
            raise Refused(errors=self.errors)


def actor_name(actor, via):
    if actor is not None:
        return actor.get_full_name() or actor.get_username()
    return "Sistema" if via == Via.SISTEMA else "Ciudadano"


def event(ticket, kind, *, actor, via, at, public, old="", new="", note="", actor_label=None):
    """One row of the audit trail. `actor_label` names a door with no user (an API client).

    A public change made by staff or the system is news for the reporter: their update is
    promised in the same transaction (tickets/outbox.py, promise_update)."""
    row = new_event(
        ticket, kind, actor=actor, via=via, at=at, public=public, old=old, new=new, note=note, actor_label=actor_label
    )
    row.save(force_insert=True)
    return row


def new_event(ticket, kind, *, actor, via, at, public, old="", new="", note="", actor_label=None):
    """The event row of `event()`, not yet saved (a new ticket's is written with it,
    tickets/lifecycle/together.py); what comes with the event is done now."""
    told = public and notifications.tells_reporter(kind, actor=actor, via=via, new=new)
    if told and notifications.may_tell_reporter(ticket):
        outbox.promise_update(ticket)
    if actor is not None:  # the counts of their queues over the ticket list, afresh
        queues.forget_mine(actor.pk)
    staff_act = actor is not None and kind != Kind.CREATED and at != ticket.created_at  # not the intake itself
    if staff_act and ticket.first_action_at is None and ticket.pk:
        # Set on the row now (the caller may save only some fields) and in memory (a full
        # save later writes the same value back).
        ticket.first_action_at = at
        Ticket.objects.filter(pk=ticket.pk, first_action_at__isnull=True).update(first_action_at=at)
    return TicketEvent(
        ticket=ticket,
        kind=kind,
        actor=actor,
        actor_name=actor_label or actor_name(actor, via),
        via=via,
        created_at=at,
        is_public=public,
        old_value=str(old)[:200],
        new_value=str(new)[:200],
        note=note,
    )


def locked(ticket):
    # Every change locks its ticket row first: two people acting on the same ticket at once
    # are applied one after the other instead of overwriting each other.
    fresh = Ticket.objects.select_for_update().select_related("service", "department").get(pk=ticket.pk)
    check_unchanged(fresh)
    return fresh


# What the person acting had seen of the ticket (the newest event on their page), set by
# `unchanged_since()` around a change made from a form; None: no such promise to keep.
_seen = contextvars.ContextVar("seen_event", default=None)


@contextmanager
def unchanged_since(event_id, actor):
    """Refuse the changes made inside this block if someone other than `actor` changed the
    ticket after the event `event_id` (the newest one on the page `actor` acted from): a form
    left open must not overwrite what a colleague did meanwhile. Checked under the row lock,
    in `locked()`. Every change writes an event, and events of one ticket are written under
    its lock, so a newer change always has a higher event id."""
    token = _seen.set((event_id, actor) if event_id is not None else None)
    try:
        yield
    finally:
        _seen.reset(token)


def newest_event_id(ticket):
    """The id of the ticket's newest event (0 for none): what a page of it has seen."""
    return ticket.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_since(ticket, event_id, actor):
    """The events of others on `ticket` after `event_id`, newest first."""
    others = TicketEvent.objects.filter(ticket_id=ticket.pk, pk__gt=event_id)
    if actor is not None:
        others = others.exclude(actor=actor)
    return others.order_by("-pk")


def conflict_message(change, *, refused=True):
    """What a colleague changed, in a sentence: for a refusal (what was typed is kept) or for
    the notice on an open page (refused=False)."""
    when = timezone.localtime(change.created_at).strftime("%H:%M")
    what = change.get_kind_display().lower()
    if change.new_value:
        what = f"{what}: {change.new_value}"
    said = f"{change.actor_name} cambió este ticket a las {when} ({what}) después de que usted lo abrió."
    if refused:
        return f"{said} Revise el historial y vuelva a intentarlo: lo que escribió sigue aquí."
    return f"{said} Recargue el ticket para verlo antes de actuar."


def check_unchanged(ticket):
    seen = _seen.get()
    if seen is None:
        return
    newest = changes_since(ticket, *seen).first()
    if newest is not None:
        raise Refused(conflict_message(newest), kind="conflict")


def refreshed(ticket, fresh):
    """Bring the caller's instance up to date with the row we changed."""
    if ticket is not fresh:
        ticket.refresh_from_db()
    return ticket


def require_work(actor, ticket):
    if actor is not None and not permissions.can_work(actor, ticket):
        raise Refused("No tiene permiso para atender tickets de esta dependencia.", kind="forbidden")


def require_view(actor, ticket):
    if actor is not None and not permissions.can_view(actor, ticket):
        raise Refused("No tiene permiso para ver este ticket.", kind="forbidden")


PHOTOS_NOT_STORED = (
    "No pudimos guardar las fotos en este momento (falla de nuestro almacenamiento). "
    "Intente de nuevo en unos minutos; lo demás que escribió sigue aquí."
)


class StoredPhotos(list):
    """What attach_photos() records; `lost` counts photos the storage did not take."""

    lost = 0


@contextmanager
def stored_photos(contents, *, keep_going=False, field=None):
    """Write cleaned photos to storage before the caller's transaction starts, so that no row
    lock is held while the disk (or a bucket) is written; remove the files again if the
    transaction that was to record them fails. Yields what attach_photos() records.

    The storage failing (a full or read-only disk, a bucket that does not answer) is refused
    in Spanish; with `keep_going`, the change goes on without the photos instead and
    `lost` says how many: a resident's report is worth more than its photos, which can be
    added later from the private link (docs/reliability.md)."""
    # The photo field's own storage and file names, as if the model had saved them (a
    # TicketPhoto's, or `field`: an IncomingPhoto's, for photos a task will clean).
    field = field or TicketPhoto._meta.get_field("image")
    measure = isinstance(field, models.ImageField)
    stored = StoredPhotos()
    contents = list(contents)
    try:
        try:
            for content in contents:
                # Read from the JPEG header in memory: the row then never reads the file back.
                width, height = get_image_dimensions(content) if measure else (None, None)
                name = field.storage.save(field.generate_filename(None, content.name), content)
                stored.append((name, width, height))
        except Exception as error:  # the storage's own errors: OSError, botocore's…
            logger.error("photo storage failed; %d photo(s) not stored", len(contents), exc_info=error)
            _delete_quietly(field.storage, [name for name, _, _ in stored])
            stored = StoredPhotos()
            if not keep_going:
                raise Refused(PHOTOS_NOT_STORED, field="photos") from error
            stored.lost = len(contents)
        yield stored
    except BaseException:
        _delete_quietly(field.storage, [name for name, _, _ in stored])
        raise


def _delete_quietly(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the storage is failing already; an orphan file is harmless
            logger.warning("could not remove %s after a failed change", name, exc_info=True)


def attach_photos(ticket, stored, *, actor, via, at, public, actor_label=None, note=""):
    """Record photos already stored (stored_photos) on the ticket, with one event; inside the
    caller's transaction."""
    for name, width, height in stored:
        TicketPhoto.objects.create(
            ticket=ticket, image=name, width=width, height=height, is_public=public, created_at=at
        )
    count = len(stored)
    event(
        ticket,
        Kind.PHOTO,
        actor=actor,
        via=via,
        at=at,
        public=public,
        new=f"{count} foto{'s' if count != 1 else ''}",
        note=note,
        actor_label=actor_label,
    )
