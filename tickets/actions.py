"""The moves staff make on one ticket: one table that the admin's action panel and the
staff API both read, so a user is offered exactly the moves the lifecycle will accept.

`available(user, ticket)` is derived from the state machine (tickets/models/status.py),
the permissions (tickets/permissions.py) and the reopen rule; `perform()` runs the move
through the lifecycle, which checks everything again under the row lock.
"""

from dataclasses import dataclass

from tickets import lifecycle, permissions
from tickets.models import Status
from tickets.models.status import OPEN_STATUSES, may_move


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    needs_note: bool = False
    done: str = ""  # the message once done


ACTIONS = {
    action.code: action
    for action in (
        Action("note", "Agregar nota", needs_note=True, done="Nota agregada."),
        Action("assign_me", "Asignármelo", done="Ticket asignado a usted."),
        Action("assign", "Asignar o turnar", done="Asignación actualizada."),
        Action("start", "Iniciar o reanudar la atención", done="Atención iniciada."),
        Action(
            "wait",
            "Poner en espera (pausa el plazo)",
            needs_note=True,
            done="Ticket en espera: el plazo está en pausa.",
        ),
        Action("resolve", "Resolver (con nota pública)", needs_note=True, done="Ticket resuelto."),
        Action("no_procede", "Cerrar como «no procede»", needs_note=True, done="Ticket cerrado como «no procede»."),
        Action("duplicate", "Marcar como duplicado", done="Ticket marcado como duplicado."),
        Action("reopen", "Reabrir", needs_note=True, done="Ticket reabierto; el plazo se reinició."),
        Action("photo", "Agregar fotos del trabajo", done="Fotos agregadas."),
        Action("tags", "Cambiar etiquetas", done="Etiquetas actualizadas."),
    )
}


def _allowed(code, user, ticket):
    if code == "note":
        return permissions.can_view(user, ticket)
    if not permissions.can_work(user, ticket):
        return False
    status = ticket.status
    if code == "assign_me":
        return status in OPEN_STATUSES and ticket.assignee_id != user.pk
    if code == "assign":
        return status in OPEN_STATUSES
    if code == "start":  # leaving `resuelto` for en_proceso is a reopening, not a start
        return status != Status.RESUELTO and may_move(status, Status.EN_PROCESO)
    if code == "wait":
        return may_move(status, Status.EN_ESPERA)
    if code == "resolve":
        return may_move(status, Status.RESUELTO)
    if code == "no_procede":
        return may_move(status, Status.NO_PROCEDE)
    if code == "duplicate":
        return may_move(status, Status.DUPLICADO)
    if code == "reopen":
        return lifecycle.may_reopen(ticket, actor=user)
    if code in ("photo", "tags"):
        return True
    raise ValueError(code)


def available(user, ticket):
    """The codes of the moves `user` may make on `ticket` now, in the table's order."""
    return [code for code in ACTIONS if _allowed(code, user, ticket)]


def label(code, user):
    if code == "assign" and not permissions.can_route(user):
        return "Asignar a otra persona"
    return ACTIONS[code].label


HOLD_QUESTION = "Diga si el motivo de la espera es público (se muestra en la página de seguimiento) o interno."


def perform(code, *, ticket, actor, via=lifecycle.Via.ADMIN, note="", public=None, **inputs):
    """Run one move through the lifecycle; returns the message to show. Raises Refused.

    `public`: whether the note (or the photos) are shown to the public; a hold's reason must
    say so (None is refused), a note or a photo is internal unless told otherwise.
    `inputs`: assignee / department (assign), parent (duplicate), photos (photo), tags (tags).
    """
    if code not in ACTIONS:
        raise lifecycle.Refused(f"Acción desconocida: «{code}».", field="action")
    if code == "wait" and public is None:
        raise lifecycle.Refused(HOLD_QUESTION, field="public")
    public = bool(public)
    note = (note or "").strip()
    if code == "note":
        lifecycle.ticket_add_note(ticket=ticket, actor=actor, text=note, public=public, via=via)
    elif code == "assign_me":
        lifecycle.ticket_assign(ticket=ticket, actor=actor, assignee=actor, note=note, via=via)
    elif code == "assign":
        assignee, department = inputs.get("assignee"), inputs.get("department")
        if assignee is None and department is None:
            raise lifecycle.Refused("Elija a quién asignar el ticket.", field="assignee")
        lifecycle.ticket_assign(
            ticket=ticket, actor=actor, assignee=assignee, department=department, note=note, via=via
        )
    elif code == "start":
        lifecycle.ticket_start(ticket=ticket, actor=actor, note=note, via=via)
    elif code == "wait":
        lifecycle.ticket_wait(ticket=ticket, actor=actor, reason=note, public=public, via=via)
    elif code == "resolve":
        lifecycle.ticket_resolve(ticket=ticket, actor=actor, public_note=note, via=via)
    elif code == "no_procede":
        lifecycle.ticket_close_no_procede(ticket=ticket, actor=actor, reason=note, via=via)
    elif code == "duplicate":
        parent = inputs.get("parent")
        if parent is None:
            raise lifecycle.Refused("Escriba el folio del ticket principal.", field="parent_folio")
        lifecycle.ticket_mark_duplicate(ticket=ticket, parent=parent, actor=actor, via=via)
        return f"Ticket marcado como duplicado de {parent.folio}."
    elif code == "reopen":
        lifecycle.ticket_reopen(ticket=ticket, actor=actor, reason=note, via=via)
    elif code == "photo":
        lifecycle.ticket_add_photos(
            ticket=ticket, photos=inputs.get("photos") or (), actor=actor, via=via, public=public, note=note
        )
    elif code == "tags":
        lifecycle.ticket_set_tags(ticket=ticket, actor=actor, tags=inputs.get("tags") or (), via=via)
    return ACTIONS[code].done
