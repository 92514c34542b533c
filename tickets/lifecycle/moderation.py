"""Moderation: a supervisor hides or redacts a ticket's description, a note of its trail or a
photo that carries personal data or abuse. Every public door (pages, Open311, the REST API,
the open data) reads the same fields, so what is published changes everywhere at once; the
original is kept in a `Moderation` row that only moderators read, and a public event says
that something was moderated and why (the reason, not the original)."""

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from tickets import permissions
from tickets.lifecycle.common import Kind, Problems, Refused, Via, actor_name, event, locked, refreshed
from tickets.models import Moderation, TicketEvent, TicketPhoto
from tickets.models.ticket import photo_path

HIDDEN_TEXT = "[Texto retirado por moderación]"
Target = Moderation.Target


def _require_moderator(actor):
    if not permissions.can_moderate(actor):
        raise Refused("Solo la supervisión de la Gerencia puede moderar contenido.", kind="forbidden")


def _check_why(reason, explanation):
    problems = Problems()
    if reason not in Moderation.Reason.values:
        problems.add("reason", "Elija el motivo de la moderación.")
    if not (explanation or "").strip():
        problems.add("explanation", "Explique por qué se modera (queda en el registro, no se publica).")
    problems.raise_any()


def ticket_moderate_text(*, ticket, actor, reason, explanation, note_event=None, replacement="", at=None):
    """Replace the description (or `note_event`'s note) by `replacement`, or hide it when
    `replacement` is empty."""
    at = at or timezone.now()
    _require_moderator(actor)
    _check_why(reason, explanation)
    replacement = (replacement or "").strip() or HIDDEN_TEXT
    with transaction.atomic():
        t = locked(ticket)
        if note_event is None:
            target, original = Target.DESCRIPTION, t.description
        else:
            note_event = TicketEvent.objects.select_for_update().get(pk=note_event.pk, ticket=t)
            target, original = Target.NOTE, note_event.note
            if not original:
                raise Refused("Ese evento no tiene nota que moderar.")
        if replacement == original:
            raise Refused(
                "El texto no cambió: edítelo para quitar lo que no debe publicarse, u ocúltelo.", field="replacement"
            )
        if target == Target.DESCRIPTION:
            t.description = replacement
        else:
            TicketEvent.objects.filter(pk=note_event.pk).update(note=replacement)
        record = _record(t, actor, at, target, reason, explanation, original=original, replacement=replacement,
                         event=note_event)  # fmt: skip
        t.save(update_fields=["description", "updated_at"])
    refreshed(ticket, t)
    return record


def ticket_hide_photo(*, ticket, actor, photo, reason, explanation, at=None):
    """Take a photo off the public pages; staff still see it. The file also moves to a new
    random name: its old address may have been shared or cached, and must stop working."""
    at = at or timezone.now()
    _require_moderator(actor)
    _check_why(reason, explanation)
    if not photo.is_public:
        raise Refused("Esa foto ya no es pública.")
    storage, old_name = photo.image.storage, photo.image.name
    with storage.open(old_name, "rb") as content:  # copied before any row is locked
        new_name = storage.save(photo_path(photo, old_name), File(content))
    try:
        with transaction.atomic():
            t = locked(ticket)
            photo = TicketPhoto.objects.select_for_update().get(pk=photo.pk, ticket=t)
            if not photo.is_public:
                raise Refused("Esa foto ya no es pública.")
            TicketPhoto.objects.filter(pk=photo.pk).update(is_public=False, image=new_name)
            record = _record(t, actor, at, Target.PHOTO, reason, explanation, photo=photo)
            t.save(update_fields=["updated_at"])
            transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        storage.delete(new_name)
        raise
    return record


def _record(ticket, actor, at, target, reason, explanation, **what):
    record = Moderation.objects.create(
        ticket=ticket,
        target=target,
        reason=reason,
        explanation=explanation.strip(),
        actor=actor,
        actor_name=actor_name(actor, Via.ADMIN),
        created_at=at,
        **what,
    )
    told = f"{Target(target).label}: {'oculta' if target == Target.PHOTO else 'editada'} por moderación"
    event(
        ticket,
        Kind.MODERATED,
        actor=actor,
        via=Via.ADMIN,
        at=at,
        public=True,
        new=told,
        note=f"Motivo: {Moderation.Reason(reason).label.lower()}.",
    )
    return record
