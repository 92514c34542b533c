"""Respuestas predefinidas: supervisors write them per service or department, staff insert one
when resolving, putting on hold or adding a note, filled in with the ticket's data."""

import json
import re

import pytest
from django.urls import reverse

from tickets import lifecycle, macros
from tickets.models import Department, Macro, Service, Status


def page(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def pothole(make_ticket, frozen, obras_staff):
    ticket = make_ticket("bacheo", address="Av. Tecnológico 100")
    lifecycle.ticket_assign(ticket=ticket, actor=obras_staff, assignee=obras_staff)
    return lifecycle.ticket_start(ticket=ticket, actor=obras_staff)


@pytest.fixture
def library(db):
    obras = Department.objects.get(name="Dirección de Obras Públicas")
    water = Department.objects.get(name="OPDAPAS Metepec")
    return {
        "bache": Macro.objects.create(
            name="Bache tapado",
            kind=Macro.Kind.PUBLIC,
            action=Macro.Action.RESOLVE,
            body="Se tapó el bache del folio {folio} ({servicio}) en {direccion}, colonia {colonia}.",
            service=Service.objects.get(code="bacheo"),
        ),
        "material": Macro.objects.create(
            name="Falta material",
            kind=Macro.Kind.INTERNAL,
            action=Macro.Action.WAIT,
            body="Sin mezcla asfáltica en el almacén; {dependencia} la pidió. Compromiso: {fecha_compromiso}.",
            department=obras,
        ),
        "gracias": Macro.objects.create(name="Gracias", body="Gracias por su reporte {folio}."),
        "agua": Macro.objects.create(name="Fuga reparada", body="Se reparó la fuga.", department=water),
        "vieja": Macro.objects.create(name="Vieja", body="Ya no se usa.", is_active=False),
    }


def test_a_ticket_is_offered_its_services_its_departments_and_everyones_macros(pothole, library):
    assert {m.name for m, _ in macros.offered(pothole)} == {"Bache tapado", "Falta material", "Gracias"}


def test_placeholders_are_filled_from_the_ticket(pothole, library):
    texts = {m.name: text for m, text in macros.offered(pothole)}
    assert texts["Bache tapado"] == (
        f"Se tapó el bache del folio {pothole.folio} (Atención de bacheo) en Av. Tecnológico 100, colonia Coaxustenco."
    )
    assert texts["Falta material"] == (
        "Sin mezcla asfáltica en el almacén; Dirección de Obras Públicas la pidió. "
        "Compromiso: a más tardar el lunes 14 de diciembre a las 13:00."
    )


def test_unknown_placeholders_are_refused_when_written(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:tickets_macro_add"),
        {
            "name": "Mal",
            "kind": "publica",
            "action": "note",
            "body": "Folio {folio}, {nombre_vecino}",
            "is_active": "on",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "No se reconoce {nombre_vecino}" in response.text
    assert not Macro.objects.filter(name="Mal").exists()


def test_nothing_but_the_listed_names_is_substituted(pothole):
    macro = Macro(body="{folio.__class__} {folio} {{folio}}")
    assert macros.expand(macro, pothole) == f"{{folio.__class__}} {pothole.folio} {{{pothole.folio}}}"


def test_the_page_offers_the_macros_with_their_filled_text(client, obras_staff, pothole, library):
    client.force_login(obras_staff)
    response = client.get(page(pothole))
    chooser = response.context["action_form"].fields["macro"]
    assert {m.name for m in chooser.queryset} == {"Bache tapado", "Falta material", "Gracias"}
    data = json.loads(re.search(r'<script id="macro-texts"[^>]*>(.*?)</script>', response.text, re.S).group(1))
    assert data[str(library["bache"].pk)] == {
        "text": macros.expand(library["bache"], pothole),
        "public": True,
        "action": "resolve",
    }
    assert "tickets/macros.js" in response.text


def test_resolving_with_a_macro_in_one_step_publishes_its_filled_text(client, obras_staff, pothole, library):
    client.force_login(obras_staff)
    done = client.post(
        page(pothole), {"_ticket_action": "1", "action": "resolve", "macro": library["bache"].pk, "note": ""}
    )
    assert done.status_code == 302
    pothole.refresh_from_db()
    assert pothole.status == Status.RESUELTO
    public = client.get(f"/seguimiento/{pothole.folio}/").text
    assert f"Se tapó el bache del folio {pothole.folio}" in public


def test_an_internal_macro_on_hold_keeps_the_reason_internal(client, obras_staff, pothole, library):
    client.force_login(obras_staff)
    done = client.post(page(pothole), {"_ticket_action": "1", "action": "wait", "macro": library["material"].pk})
    assert done.status_code == 302
    pothole.refresh_from_db()
    assert pothole.status == Status.EN_ESPERA
    note = pothole.events.get(kind="note")
    assert note.note.startswith("Sin mezcla asfáltica") and not note.is_public
    assert "Sin mezcla asfáltica" not in client.get(f"/seguimiento/{pothole.folio}/").text


def test_what_the_user_edited_wins_over_the_macro(client, obras_staff, pothole, library):
    client.force_login(obras_staff)
    typed = "Se tapó el bache; se pintó la guarnición."
    client.post(
        page(pothole),
        {"_ticket_action": "1", "action": "resolve", "macro": library["bache"].pk, "note": typed},
    )
    assert pothole.events.get(kind="status", new_value="Resuelto").note == typed


def test_another_departments_macro_cannot_be_sent(client, obras_staff, pothole, library):
    client.force_login(obras_staff)
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "note", "macro": library["agua"].pk})
    assert response.status_code == 200
    assert "Seleccione una opción válida" in response.text
    assert not pothole.events.filter(note="Se reparó la fuga.").exists()


def test_department_staff_cannot_write_macros(client, obras_staff):
    client.force_login(obras_staff)
    assert client.get(reverse("admin:tickets_macro_add")).status_code == 403
