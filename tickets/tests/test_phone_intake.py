"""Phone intake: Olga takes a call, sees the caller's history and reads back the folio."""

import pytest
from django.urls import reverse

from tickets.models import Colonia, Service, Ticket

INTAKE = reverse("admin:tickets_ticket_intake")
HISTORY = reverse("admin:tickets_ticket_caller_history")


@pytest.fixture
def call(db):
    return {
        "reporter_phone": "722-555-1234",
        "reporter_name": "Juan Pérez",
        "service": Service.objects.get(code="alumbrado").pk,
        "colonia": Colonia.objects.get(name="Coaxustenco").pk,
        "address": "Calle Morelos 45, junto a la tienda",
        "description": "Tres luminarias apagadas en la cuadra.",
        "reporter_email": "",
        "priority": "normal",
    }


def test_the_operator_registers_a_call_and_reads_back_folio_and_due_date(client, operator, call, frozen):
    client.force_login(operator)
    assert client.get(INTAKE).status_code == 200
    response = client.post(INTAKE, call)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:tickets_ticket_intake_done", args=[ticket.pk])
    assert ticket.channel == "telefono"
    assert ticket.reporter_phone == "7225551234" and ticket.reporter_name == "Juan Pérez"
    assert ticket.events.get().actor == operator
    done = client.get(response.url).text
    assert ticket.folio in done
    assert "73 11 · 2026 · 000 001" in done
    assert "a más tardar el lunes 14 de diciembre a las 13:00" in done


def test_the_callers_earlier_tickets_appear_by_phone(client, operator, call, make_ticket, frozen):
    earlier = make_ticket("bacheo", reporter_phone="7225551234")
    make_ticket("bacheo", reporter_phone="7229999999")
    client.force_login(operator)
    data = client.get(HISTORY, {"telefono": "(722) 555 1234"}).json()
    assert [t["folio"] for t in data["tickets"]] == [earlier.folio]
    assert data["tickets"][0]["service"] == "Atención de bacheo"
    # Without JavaScript: the "Buscar historial" button re-renders the form with the history.
    page = client.post(INTAKE, {**call, "_lookup": "1"})
    assert page.status_code == 200 and earlier.folio in page.text
    assert Ticket.objects.count() == 2, "looking up creates nothing"
    assert "Calle Morelos 45" in page.text, "what was typed is kept"


def test_a_bad_form_keeps_everything_typed(client, operator, call, frozen):
    client.force_login(operator)
    response = client.post(INTAKE, {**call, "reporter_phone": "12345", "description": ""})
    assert response.status_code == 200
    assert "Escriba los 10 dígitos del teléfono." in response.text
    assert "Calle Morelos 45, junto a la tienda" in response.text
    assert "Juan Pérez" in response.text
    assert not Ticket.objects.exists()


def test_operators_may_register_emergencies_and_are_told_to_reroute(client, operator, call, frozen):
    client.force_login(operator)
    response = client.post(INTAKE, {**call, "service": Service.objects.get(code="fuga-gas").pk}, follow=True)
    assert "canalice la llamada al 911" in response.text
    assert Ticket.objects.get().due_at is None


def test_department_staff_do_not_take_calls(client, obras_staff):
    client.force_login(obras_staff)
    assert client.get(INTAKE).status_code == 403
    assert client.get(HISTORY, {"telefono": "7225551234"}).status_code == 403


def test_the_add_button_leads_to_the_phone_intake(client, operator):
    client.force_login(operator)
    response = client.get(reverse("admin:tickets_ticket_add"))
    assert response.status_code == 302 and response.url == INTAKE


def test_a_caller_who_gives_an_email_gets_the_same_confirmation_as_the_web(
    client, operator, call, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(INTAKE, {**call, "reporter_email": "vecino@example.com"})
    ticket = Ticket.objects.get()
    assert ticket.channel == "telefono"
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["vecino@example.com"], f"Recibimos su reporte: folio {ticket.folio}")
    ]
