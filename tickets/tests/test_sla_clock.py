"""The SLA clock on tickets: due dates, pauses, reopenings and the queryable SLA state."""

from datetime import timedelta

import pytest

from conftest import local
from tickets import lifecycle
from tickets.lifecycle import Refused
from tickets.models import Channel, SlaState, Ticket


def test_due_date_is_set_at_creation_with_the_services_sla(make_ticket):
    ticket = make_ticket(at=local(2026, 12, 4, 17))
    assert ticket.due_at == local(2026, 12, 14, 11)
    # "Por vencer" starts when 8 business hours remain: 40 h after creation.
    assert ticket.due_soon_at == local(2026, 12, 11, 12)


def test_a_service_with_a_shorter_sla_gets_an_earlier_due_date(make_ticket, bacheo):
    bacheo.sla_hours = 24
    bacheo.save()
    assert make_ticket(at=local(2026, 12, 7, 9)).due_at == local(2026, 12, 9, 15)


def test_emergencies_and_imported_history_have_no_due_date(make_ticket, operator):
    from tickets.models import Service

    gas = lifecycle.ticket_create(
        service=Service.objects.get(code="fuga-gas"),
        description="Huele a gas",
        channel=Channel.TELEFONO,
        actor=operator,
        at=local(2026, 12, 7, 10),
    )
    assert gas.due_at is None
    imported = make_ticket(channel=Channel.IMPORTADO, at=local(2025, 3, 1, 10))
    assert imported.due_at is None
    assert imported.sla_state_at() == SlaState.NO_APLICA


def test_waiting_over_a_holiday_moves_the_due_date_by_business_time_only(make_ticket, supervisor):
    ticket = make_ticket(at=local(2026, 11, 12, 10))
    assert ticket.due_at == local(2026, 11, 20, 13)
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=supervisor, at=local(2026, 11, 12, 11))
    lifecycle.ticket_start(ticket=ticket, actor=supervisor, at=local(2026, 11, 12, 12))
    lifecycle.ticket_wait(
        ticket=ticket, actor=supervisor, reason="Falta material", public=True, at=local(2026, 11, 13, 10)
    )
    assert ticket.sla_paused_at == local(2026, 11, 13, 10)
    # Waited Fri 13 10–18 (8 h), Mon 16 is a holiday, Tue 17 (9 h), Wed 18 9–10 (1 h): 18 h.
    lifecycle.ticket_start(ticket=ticket, actor=supervisor, at=local(2026, 11, 18, 10))
    assert ticket.sla_paused_at is None
    assert ticket.due_at == local(2026, 11, 24, 13)
    resumed = ticket.events.get(kind="sla_resumed")
    assert resumed.old_value.startswith("2026-11-20T13:00") and resumed.new_value.startswith("2026-11-24T13:00")


def test_resolving_straight_from_waiting_accounts_for_the_pause(make_ticket, supervisor):
    ticket = make_ticket(at=local(2026, 12, 7, 9))  # due Mon 14 12:00
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=supervisor, at=local(2026, 12, 7, 9))
    lifecycle.ticket_start(ticket=ticket, actor=supervisor, at=local(2026, 12, 7, 9))
    lifecycle.ticket_wait(
        ticket=ticket, actor=supervisor, reason="Cita con el vecino", public=True, at=local(2026, 12, 7, 10)
    )
    # Resolved a week later, still on time: the 51 business hours waited (Mon 7 10–18, Tue–Fri,
    # Mon 14 9–16) push the due date from Mon 14 12:00 to Mon 21 18:00.
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 14, 16))
    assert ticket.due_at == local(2026, 12, 21, 18)
    assert ticket.sla_state_at() == SlaState.CUMPLIDO


def test_reopening_restarts_the_clock_from_the_reopening(make_ticket, supervisor, django_capture_on_commit_callbacks):
    ticket = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason="Se volvió a hundir", at=local(2026, 12, 4, 17))
    assert ticket.status == "en_proceso"
    assert ticket.resolved_at is None and ticket.closed_at is None
    assert ticket.due_at == local(2026, 12, 14, 11)
    assert ticket.reopened_count == 1
    assert ticket.events.filter(kind="reopened", is_public=True).exists()


def test_the_reporter_may_reopen_within_30_days_of_resolution(make_ticket, supervisor):
    ticket = make_ticket(at=local(2026, 10, 1, 10))
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 10, 2, 10))
    with pytest.raises(Refused, match="30 días"):
        lifecycle.ticket_reopen(ticket=ticket, reason="Sigue igual", via="web", at=local(2026, 11, 1, 10, 1))
    lifecycle.ticket_reopen(ticket=ticket, reason="Sigue igual", via="web", at=local(2026, 11, 1, 9))
    event = ticket.events.get(kind="reopened")
    assert event.actor is None and event.actor_name == "Ciudadano" and event.via == "web"


def test_reopening_notifies_the_department(make_ticket, supervisor, mailoutbox, django_capture_on_commit_callbacks):
    ticket = make_ticket(at=local(2026, 12, 1, 10))
    ticket.department.email = "obras@metepec.example"
    ticket.department.save()
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 2, 10))
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_reopen(ticket=ticket, reason="Sigue el bache", via="web", at=local(2026, 12, 3, 10))
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["obras@metepec.example"]
    assert ticket.folio in mailoutbox[0].subject
    assert "Sigue el bache" in mailoutbox[0].body


# --- the SLA state, in SQL and in Python -------------------------------------------------


@pytest.fixture
def tickets_in_every_state(make_ticket, supervisor):
    """One ticket per SLA state, judged on Thursday 2026-12-10 at 12:00."""
    made = {}
    made["a_tiempo"] = make_ticket(at=local(2026, 12, 9, 10))
    made["por_vencer"] = make_ticket(at=local(2026, 12, 3, 10))  # due Thu 10 13:00
    made["vencido"] = make_ticket(at=local(2026, 12, 1, 10))  # due Tue 8 13:00
    made["cumplido"] = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_resolve(ticket=made["cumplido"], actor=supervisor, public_note="Ok", at=local(2026, 12, 2, 10))
    made["incumplido"] = make_ticket(at=local(2026, 11, 20, 10))
    lifecycle.ticket_resolve(ticket=made["incumplido"], actor=supervisor, public_note="Ok", at=local(2026, 12, 9, 10))
    made["no_aplica"] = make_ticket(channel=Channel.IMPORTADO, at=local(2025, 5, 1, 10))
    # Overdue, but waiting: its clock is frozen at the pause, when it was still on time.
    waiting = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_assign(ticket=waiting, actor=supervisor, assignee=supervisor, at=local(2026, 12, 1, 11))
    lifecycle.ticket_start(ticket=waiting, actor=supervisor, at=local(2026, 12, 1, 11))
    lifecycle.ticket_wait(ticket=waiting, actor=supervisor, reason="Espera", public=True, at=local(2026, 12, 1, 12))
    made["a_tiempo_en_espera"] = waiting
    closed = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_close_no_procede(ticket=closed, actor=supervisor, reason="No municipal", at=local(2026, 12, 9, 9))
    made["no_aplica_cerrado"] = closed
    return made


def test_each_sla_state_is_filtered_by_the_database(tickets_in_every_state):
    now = local(2026, 12, 10, 12)
    expected = {
        "a_tiempo": {"a_tiempo", "a_tiempo_en_espera"},
        "por_vencer": {"por_vencer"},
        "vencido": {"vencido"},
        "cumplido": {"cumplido"},
        "incumplido": {"incumplido"},
        "no_aplica": {"no_aplica", "no_aplica_cerrado"},
    }
    by_pk = {ticket.pk: name for name, ticket in tickets_in_every_state.items()}
    for state, names in expected.items():
        found = {by_pk[pk] for pk in Ticket.objects.in_sla_state(state, now).values_list("pk", flat=True)}
        assert found == names, state


def test_the_annotation_and_the_python_rule_agree_at_every_hour(tickets_in_every_state):
    for hours in range(0, 24 * 12, 5):
        now = local(2026, 12, 1, 8) + timedelta(hours=hours)
        for ticket in Ticket.objects.with_sla_state(now):
            assert ticket.sla_state == ticket.sla_state_at(now), (ticket.folio, now)


def test_an_open_ticket_becomes_por_vencer_then_vencido_as_time_passes(make_ticket):
    ticket = make_ticket(at=local(2026, 12, 4, 17))
    assert ticket.sla_state_at(local(2026, 12, 11, 11, 59)) == SlaState.A_TIEMPO
    assert ticket.sla_state_at(local(2026, 12, 11, 12)) == SlaState.POR_VENCER
    assert ticket.sla_state_at(local(2026, 12, 14, 11)) == SlaState.VENCIDO
