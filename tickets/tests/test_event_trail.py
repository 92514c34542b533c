"""Every change writes an event: time, actor, channel, public or internal, old and new."""

import pytest
from django.utils import timezone

from conftest import local
from tickets import lifecycle
from tickets.lifecycle import Refused
from tickets.models import Channel, Colonia, Department, Priority, Service, TicketEvent


def kinds(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))


def test_a_web_report_starts_its_trail_with_a_public_created_event(make_ticket, frozen):
    ticket = make_ticket()
    event = ticket.events.get()
    assert event.kind == "created"
    assert event.via == "web" and event.actor is None and event.actor_name == "Ciudadano"
    assert event.is_public
    assert event.created_at == timezone.now()


def test_a_full_life_is_recorded_with_who_and_when(make_ticket, obras_staff, time_machine):
    time_machine.move_to(local(2026, 12, 7, 9, 30), tick=False)
    ticket = make_ticket()
    time_machine.move_to(local(2026, 12, 7, 10), tick=False)
    lifecycle.ticket_assign(ticket=ticket, actor=obras_staff, assignee=obras_staff)
    time_machine.move_to(local(2026, 12, 7, 11), tick=False)
    lifecycle.ticket_start(ticket=ticket, actor=obras_staff)
    lifecycle.ticket_add_note(ticket=ticket, actor=obras_staff, text="Se necesita mezcla asfáltica.")
    lifecycle.ticket_wait(ticket=ticket, actor=obras_staff, reason="Esperamos la mezcla asfáltica.", public=True)
    time_machine.move_to(local(2026, 12, 8, 11), tick=False)
    lifecycle.ticket_start(ticket=ticket, actor=obras_staff)
    time_machine.move_to(local(2026, 12, 8, 15), tick=False)
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Bache cubierto.")

    assert kinds(ticket) == [
        "created",
        "assigned",
        "status",
        "status",
        "note",
        "status",
        "sla_paused",
        "sla_resumed",
        "status",
        "status",
    ]
    events = list(ticket.events.order_by("created_at", "id"))
    assigned = events[1]
    assert assigned.actor == obras_staff and assigned.actor_name == "Óscar"
    assert assigned.via == "admin" and not assigned.is_public
    assert assigned.new_value == "oscar"
    assert [e.new_value for e in events if e.kind == "status"] == [
        "Asignado",
        "En proceso",
        "En espera",
        "En proceso",
        "Resuelto",
    ]
    note = events[4]
    assert not note.is_public, "staff notes are internal unless marked public"
    resolved = events[-1]
    assert resolved.is_public and resolved.note == "Bache cubierto."
    assert resolved.created_at == local(2026, 12, 8, 15)


def test_routing_to_another_department_is_public_and_needs_the_gerencia(make_ticket, supervisor, obras_staff, frozen):
    ticket = make_ticket()
    opdapas = Department.objects.get(name="OPDAPAS Metepec")
    with pytest.raises(Refused, match="Solo la Gerencia"):
        lifecycle.ticket_assign(ticket=ticket, actor=obras_staff, department=opdapas)
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, department=opdapas)
    routed = ticket.events.get(kind="routed")
    assert (routed.old_value, routed.new_value) == ("Dirección de Obras Públicas", "OPDAPAS Metepec")
    assert routed.is_public
    assert ticket.department == opdapas and ticket.status == "asignado"


def test_an_assignee_must_belong_to_the_department(make_ticket, supervisor, opdapas_staff, frozen):
    ticket = make_ticket()
    with pytest.raises(Refused, match="no pertenece"):
        lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=opdapas_staff)
    assert ticket.events.count() == 1


def test_correcting_details_records_old_and_new_values(make_ticket, obras_staff, frozen):
    ticket = make_ticket()
    colonia = Colonia.objects.get(name="San Salvador Tizatlalli", settlement_type="Pueblo")
    lifecycle.ticket_update_details(ticket=ticket, actor=obras_staff, priority=Priority.ALTA, colonia=colonia)
    updates = ticket.events.filter(kind="updated")
    assert {(e.old_value, e.new_value) for e in updates} == {
        ("prioridad: normal", "prioridad: alta"),
        ("colonia: Coaxustenco (barrio, CP 52140)", f"colonia: {colonia}"),
    }
    assert not any(e.is_public for e in updates)


def test_reclassifying_to_another_departments_service_reroutes(make_ticket, supervisor, obras_staff, frozen):
    ticket = make_ticket()
    water = Service.objects.get(code="fuga-agua")
    with pytest.raises(Refused, match="otra dependencia"):
        lifecycle.ticket_update_details(ticket=ticket, actor=obras_staff, service=water)
    lifecycle.ticket_update_details(ticket=ticket, actor=supervisor, service=water)
    assert ticket.service == water and ticket.department.name == "OPDAPAS Metepec"
    assert ticket.events.filter(kind="routed").exists()


def test_phone_reports_are_attributed_to_the_operator(operator, bacheo, frozen):
    ticket = lifecycle.ticket_create(
        service=bacheo, description="Bache", channel=Channel.TELEFONO, actor=operator, reporter_phone="722 123 4567"
    )
    event = ticket.events.get()
    assert event.via == "telefono" and event.actor == operator
    assert ticket.reporter_phone == "7221234567"


def test_staff_without_rights_cannot_act_and_leave_no_trace(make_ticket, opdapas_staff, operator, frozen):
    ticket = make_ticket()  # a pothole: Obras Públicas, not OPDAPAS
    with pytest.raises(Refused, match="permiso"):
        lifecycle.ticket_resolve(ticket=ticket, actor=opdapas_staff, public_note="Listo.")
    with pytest.raises(Refused, match="permiso"):
        lifecycle.ticket_resolve(ticket=ticket, actor=operator, public_note="Listo.")
    with pytest.raises(Refused, match="permiso"):
        lifecycle.ticket_add_note(ticket=ticket, actor=opdapas_staff, text="Hola")
    ticket.refresh_from_db()
    assert ticket.status == "nuevo" and kinds(ticket) == ["created"]


def test_the_operator_may_add_notes_when_a_caller_calls_back(make_ticket, operator, frozen):
    ticket = make_ticket()
    lifecycle.ticket_add_note(ticket=ticket, actor=operator, text="El vecino volvió a llamar.")
    assert ticket.events.filter(kind="note", actor=operator).exists()
