"""Every allowed and every refused status move (DESIGN.md, status vocabulary).

The expected table is written out here, independently of the code, so that a change to
the rules in tickets/lifecycle.py has to be a deliberate change to this specification.
"""

import pytest

from tickets import lifecycle
from tickets.lifecycle import Refused
from tickets.models import Status, TicketEvent

ALLOWED = {
    "nuevo": {"asignado", "resuelto", "no_procede", "duplicado"},
    "asignado": {"en_proceso", "resuelto", "no_procede", "duplicado"},
    "en_proceso": {"en_espera", "resuelto", "no_procede", "duplicado"},
    "en_espera": {"en_proceso", "resuelto", "no_procede", "duplicado"},
    "resuelto": {"en_proceso"},  # a reopening
    "no_procede": set(),
    "duplicado": set(),
}


@pytest.fixture
def ticket_in(make_ticket, supervisor, frozen):
    """A ticket brought to `status` through the lifecycle by Sofía."""

    def bring(status):
        ticket = make_ticket()
        parent = make_ticket()
        path = {
            "nuevo": [],
            "asignado": ["assign"],
            "en_proceso": ["assign", "start"],
            "en_espera": ["assign", "start", "wait"],
            "resuelto": ["assign", "start", "resolve"],
            "no_procede": ["close"],
            "duplicado": ["duplicate"],
        }[status]
        for step in path:
            move(ticket, step, supervisor, parent)
        assert ticket.status == status
        return ticket, parent

    return bring


def move(ticket, step, actor, parent):
    if step == "assign":
        return lifecycle.ticket_assign(ticket=ticket, actor=actor, assignee=actor)
    if step == "start":
        return lifecycle.ticket_start(ticket=ticket, actor=actor)
    if step == "wait":
        return lifecycle.ticket_wait(ticket=ticket, actor=actor, reason="Esperamos material.", public=True)
    if step == "resolve":
        return lifecycle.ticket_resolve(ticket=ticket, actor=actor, public_note="Se bacheó.")
    if step == "close":
        return lifecycle.ticket_close_no_procede(ticket=ticket, actor=actor, reason="No es municipal.")
    if step == "duplicate":
        return lifecycle.ticket_mark_duplicate(ticket=ticket, parent=parent, actor=actor)
    if step == "reopen":
        return lifecycle.ticket_reopen(ticket=ticket, actor=actor, reason="Volvió a fallar.")
    raise AssertionError(step)


# The action that aims at each target status.
TARGET_STEP = {
    "en_proceso": "start",
    "en_espera": "wait",
    "resuelto": "resolve",
    "no_procede": "close",
    "duplicado": "duplicate",
}
CASES = [(origin, target) for origin in ALLOWED for target in TARGET_STEP]


@pytest.mark.parametrize("origin, target", CASES)
def test_each_move_is_allowed_or_refused_as_designed(ticket_in, supervisor, origin, target):
    ticket, parent = ticket_in(origin)
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    # From resuelto, going back to en_proceso is only possible as a reopening.
    step = "reopen" if (origin, target) == ("resuelto", "en_proceso") else TARGET_STEP[target]
    if target in ALLOWED[origin]:
        move(ticket, step, supervisor, parent)
        ticket.refresh_from_db()
        assert ticket.status == target
        last_status = TicketEvent.objects.filter(ticket=ticket, kind="status").last()
        assert (last_status.old_value, last_status.new_value) == (Status(origin).label, Status(target).label)
    else:
        with pytest.raises(Refused) as refusal:
            move(ticket, step, supervisor, parent)
        assert ticket.folio in refusal.value.message
        ticket.refresh_from_db()
        assert ticket.status == origin, "a refused move changes nothing"
        assert TicketEvent.objects.filter(ticket=ticket).count() == events_before


@pytest.mark.parametrize("origin", list(ALLOWED))
def test_assigning_moves_only_a_new_ticket_to_asignado(ticket_in, supervisor, obras_staff, origin):
    ticket, _ = ticket_in(origin)
    if origin in ("resuelto", "no_procede", "duplicado"):
        with pytest.raises(Refused, match="cerrado"):
            lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
        ticket.refresh_from_db()
        assert ticket.status == origin
        return
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)
    ticket.refresh_from_db()
    assert ticket.assignee == obras_staff
    assert ticket.status == ("asignado" if origin == "nuevo" else origin)


def test_starting_a_new_ticket_says_to_assign_it_first(ticket_in, supervisor):
    ticket, _ = ticket_in("nuevo")
    with pytest.raises(Refused, match="Asígnelo primero"):
        lifecycle.ticket_start(ticket=ticket, actor=supervisor)


def test_starting_a_resolved_ticket_points_to_reopening(ticket_in, supervisor):
    ticket, _ = ticket_in("resuelto")
    with pytest.raises(Refused, match="Reabrir"):
        lifecycle.ticket_start(ticket=ticket, actor=supervisor)


def test_reopening_anything_but_a_resolved_ticket_is_refused(ticket_in, supervisor):
    for origin in ("nuevo", "en_proceso", "no_procede", "duplicado"):
        ticket, _ = ticket_in(origin)
        with pytest.raises(Refused, match="Solo un ticket resuelto"):
            lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason="Sigue igual.")


@pytest.mark.parametrize("step", ["wait", "resolve", "close", "reopen"])
def test_moves_that_need_a_reason_refuse_an_empty_one(ticket_in, supervisor, step):
    ticket, _ = ticket_in("resuelto" if step == "reopen" else "en_proceso")
    call = {
        "wait": lambda: lifecycle.ticket_wait(ticket=ticket, actor=supervisor, reason="  ", public=True),
        "resolve": lambda: lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note=""),
        "close": lambda: lifecycle.ticket_close_no_procede(ticket=ticket, actor=supervisor, reason=""),
        "reopen": lambda: lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason=""),
    }[step]
    with pytest.raises(Refused) as refusal:
        call()
    assert refusal.value.field == "note"


def test_a_ticket_cannot_duplicate_itself_or_a_duplicate(ticket_in, make_ticket, supervisor):
    ticket, _ = ticket_in("nuevo")
    with pytest.raises(Refused, match="sí mismo"):
        lifecycle.ticket_mark_duplicate(ticket=ticket, parent=ticket, actor=supervisor)
    duplicate, principal = ticket_in("duplicado")
    with pytest.raises(Refused, match=principal.folio):
        lifecycle.ticket_mark_duplicate(ticket=ticket, parent=duplicate, actor=supervisor)


def test_a_duplicate_adds_its_residents_to_the_parent(ticket_in, supervisor):
    duplicate, parent = ticket_in("duplicado")
    parent.refresh_from_db()
    assert duplicate.parent == parent
    assert parent.affected_count == 2
    merged = TicketEvent.objects.get(ticket=parent, kind="merged")
    assert merged.is_public and merged.new_value == duplicate.folio
