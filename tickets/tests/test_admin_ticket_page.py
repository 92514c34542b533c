"""The ticket's page in the admin: timeline, the action panel and corrections."""

import pytest
from django.urls import reverse

from tickets import lifecycle
from tickets.models import Colonia, Priority, Service
from tickets.tests import images

# The photos' read-only inline, as a browser sends it back with the form.
PHOTOS_INLINE = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


def page(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def pothole(make_ticket, frozen):
    return make_ticket("bacheo", reporter_name="Rosa Vecina", reporter_phone="7225550000")


def test_the_page_shows_the_timeline_and_private_contact_to_staff(client, obras_staff, pothole):
    lifecycle.ticket_add_note(ticket=pothole, actor=obras_staff, text="Revisar con la cuadrilla 2.")
    client.force_login(obras_staff)
    html = client.get(page(pothole)).text
    assert "Reporte recibido" in html and "Revisar con la cuadrilla 2." in html
    assert "interna" in html and "pública" in html
    assert "Rosa Vecina" in html and "7225550000" in html  # staff need it to call back
    assert "a más tardar el lunes 14 de diciembre a las 13:00" in html


def test_a_refused_action_keeps_what_was_typed(client, obras_staff, pothole):
    client.force_login(obras_staff)
    typed = "Se tapó el bache con mezcla fría; volver en una semana."
    response = client.post(
        page(pothole), {"_ticket_action": "1", "action": "duplicate", "note": typed, "parent_folio": "7311-2026-999999"}
    )
    assert response.status_code == 200
    assert "No se encontró el folio" in response.text
    assert typed in response.text
    pothole.refresh_from_db()
    assert pothole.status == "nuevo"


def test_an_action_the_rules_refuse_is_explained_on_the_page(client, obras_staff, supervisor, pothole):
    lifecycle.ticket_resolve(ticket=pothole, actor=supervisor, public_note="Listo")
    client.force_login(obras_staff)
    # A stale page (opened before someone else resolved it) still offers "start".
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "start"})
    assert response.status_code == 200
    assert "Escoja una opción válida" in response.text or "Reabrir" in response.text
    pothole.refresh_from_db()
    assert pothole.status == "resuelto"


def test_a_public_note_is_marked_public(client, obras_staff, pothole):
    client.force_login(obras_staff)
    client.post(
        page(pothole), {"_ticket_action": "1", "action": "note", "note": "Programado para el martes.", "public": "on"}
    )
    assert pothole.events.get(kind="note").is_public


def test_assigning_to_a_colleague_from_the_page(client, supervisor, obras_staff, pothole):
    client.force_login(supervisor)
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "assign", "assignee": obras_staff.pk})
    assert response.status_code == 302
    pothole.refresh_from_db()
    assert pothole.assignee == obras_staff and pothole.status == "asignado"


def test_marking_a_duplicate_from_the_page(client, supervisor, pothole, make_ticket):
    twin = make_ticket("bacheo")
    client.force_login(supervisor)
    client.post(page(twin), {"_ticket_action": "1", "action": "duplicate", "parent_folio": pothole.folio})
    twin.refresh_from_db()
    pothole.refresh_from_db()
    assert twin.status == "duplicado" and twin.parent == pothole and pothole.affected_count == 2
    assert twin.folio in client.get(page(pothole)).text


def test_correcting_details_goes_through_the_lifecycle(client, obras_staff, pothole):
    client.force_login(obras_staff)
    colonia = Colonia.objects.get(name="Arcos del Prado")
    response = client.post(
        page(pothole),
        {
            "service": pothole.service_id,
            "priority": Priority.URGENTE,
            "colonia": colonia.pk,
            "address": "Av. Tecnológico 100, frente a la escuela",
            "_save": "Guardar",
            **PHOTOS_INLINE,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    pothole.refresh_from_db()
    assert pothole.priority == "urgente" and pothole.colonia == colonia
    assert pothole.events.filter(kind="updated").count() == 3


def test_department_staff_cannot_reroute_by_changing_the_service(client, obras_staff, pothole):
    client.force_login(obras_staff)
    water = Service.objects.get(code="fuga-agua")
    response = client.post(
        page(pothole),
        {
            "service": water.pk,
            "priority": "normal",
            "colonia": pothole.colonia_id,
            "address": pothole.address,
            "_save": "Guardar",
            **PHOTOS_INLINE,
        },
    )
    assert response.status_code == 200
    assert "solo la Gerencia puede turnarlo" in response.text
    pothole.refresh_from_db()
    assert pothole.service.code == "bacheo"


def test_staff_attach_photos_of_the_work_from_the_panel(client, obras_staff, pothole):
    from PIL import Image

    from tickets.models import TicketEvent
    from tickets.tests import images

    client.force_login(obras_staff)
    response = client.post(
        page(pothole),
        {"_ticket_action": "1", "action": "photo", "note": "Antes de bachear", "photos": [images.upload("antes.jpg")]},
    )
    assert response.status_code == 302
    photo = pothole.photos.get()
    assert photo.is_public is False  # internal unless "public" is ticked
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
    event = pothole.events.get(kind=TicketEvent.Kind.PHOTO)
    assert event.actor == obras_staff and event.note == "Antes de bachear" and not event.is_public
    empty = client.post(page(pothole), {"_ticket_action": "1", "action": "photo"})
    assert "Elija al menos una foto." in empty.text


def test_putting_on_hold_asks_whether_the_reason_is_public(client, obras_staff, pothole):
    lifecycle.ticket_assign(ticket=pothole, actor=obras_staff, assignee=obras_staff)
    lifecycle.ticket_start(ticket=pothole, actor=obras_staff)
    client.force_login(obras_staff)
    reason = "Esperamos al proveedor Asfaltos del Valle."
    # "Nota pública" ticked is not an answer to the question: the hold asks its own.
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "wait", "note": reason, "public": "on"})
    assert response.status_code == 200
    assert "Diga si el motivo de la espera es público" in response.text
    assert "¿El motivo de la espera es público?" in response.text
    assert reason in response.text  # kept in the form
    pothole.refresh_from_db()
    assert pothole.status == "en_proceso"


@pytest.mark.parametrize("answer, published", [("no", False), ("si", True)])
def test_a_hold_reason_is_published_only_when_the_answer_is_public(client, obras_staff, pothole, answer, published):
    lifecycle.ticket_assign(ticket=pothole, actor=obras_staff, assignee=obras_staff)
    lifecycle.ticket_start(ticket=pothole, actor=obras_staff)
    client.force_login(obras_staff)
    reason = "Esperamos que el vecino nos abra el portón."
    form = {"_ticket_action": "1", "action": "wait", "note": reason, "reason_public": answer}
    assert client.post(page(pothole), form).status_code == 302
    pothole.refresh_from_db()
    assert pothole.status == "en_espera"  # the status itself is always public
    public_page = client.get(f"/seguimiento/{pothole.folio}/").text
    assert "En espera" in public_page
    assert (reason in public_page) is published
    assert pothole.events.filter(note=reason).exists()  # staff keep it either way


@pytest.mark.parametrize("persona", ["obras_staff", "supervisor"])
def test_staff_who_see_the_ticket_see_the_residents_photos(client, make_ticket, frozen, persona, request):
    ticket = make_ticket(photos=[images.cleaned()])
    photo = ticket.photos.get()
    client.force_login(request.getfixturevalue(persona))
    html = client.get(page(ticket)).text
    assert photo.image.url in html
    assert 'name="photos-0-is_public"' not in html  # shown, not a checkbox that would be ignored
