"""The beat job that records breaches as tickets pass their due date."""

from django.core.management import call_command

from conftest import local
from tickets import lifecycle
from tickets.lifecycle import tickets_mark_overdue
from tickets.tasks import mark_overdue


def test_open_tickets_past_due_get_one_breach_event(make_ticket, supervisor, time_machine):
    late = make_ticket(at=local(2026, 12, 1, 10))  # due Tue 8 13:00
    on_time = make_ticket(at=local(2026, 12, 9, 10))
    resolved_late = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_resolve(ticket=resolved_late, actor=supervisor, public_note="Listo", at=local(2026, 12, 9, 9))
    time_machine.move_to(local(2026, 12, 10, 12), tick=False)
    assert mark_overdue() == 1
    late.refresh_from_db()
    assert late.sla_breached_at == local(2026, 12, 10, 12)
    event = late.events.get(kind="sla_breached")
    assert event.via == "sistema" and event.actor_name == "Sistema" and not event.is_public
    assert not on_time.events.filter(kind="sla_breached").exists()
    assert not resolved_late.events.filter(kind="sla_breached").exists()
    # Running again (or on a second worker) writes nothing twice.
    assert mark_overdue() == 0
    call_command("mark_overdue", verbosity=0)
    assert late.events.filter(kind="sla_breached").count() == 1


def test_a_reopened_ticket_can_breach_again(make_ticket, supervisor, time_machine):
    ticket = make_ticket(at=local(2026, 12, 1, 10))
    time_machine.move_to(local(2026, 12, 10, 12), tick=False)
    assert tickets_mark_overdue() == 1
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo")
    lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason="Sigue")
    time_machine.move_to(local(2026, 12, 22, 12), tick=False)
    assert tickets_mark_overdue() == 1
    assert ticket.events.filter(kind="sla_breached").count() == 2
