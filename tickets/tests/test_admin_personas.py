"""What each persona may see and do in the staff admin — in lists and by URL."""

import pytest
from django.urls import reverse

from tickets.models import Colonia, Delegacion, NonWorkingDay, Service

LIST = reverse("admin:tickets_ticket_changelist")


def page(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def pothole(make_ticket, frozen):
    return make_ticket("bacheo", description="Bache frente al mercado")


@pytest.fixture
def leak(make_ticket, frozen):
    return make_ticket("fuga-agua", description="Fuga en la toma")


def act(client, ticket, action, **data):
    return client.post(page(ticket), {"_ticket_action": "1", "action": action, **data})


def test_department_staff_see_only_their_departments_tickets(client, obras_staff, pothole, leak):
    client.force_login(obras_staff)
    listing = client.get(LIST)
    assert pothole.folio in listing.text
    assert leak.folio not in listing.text


def test_department_staff_cannot_open_another_departments_ticket_by_url(client, obras_staff, leak):
    client.force_login(obras_staff)
    response = client.get(page(leak))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert leak.folio not in client.get(response.url).text
    # Nor act on it by posting to its URL.
    response = act(client, leak, "resolve", note="Listo")
    leak.refresh_from_db()
    assert leak.status == "nuevo"


def test_department_staff_cannot_find_another_departments_ticket_by_search(client, obras_staff, leak):
    client.force_login(obras_staff)
    assert list(client.get(LIST, {"q": leak.folio}).context["cl"].result_list) == []


def test_department_staff_work_their_tickets(client, obras_staff, pothole):
    client.force_login(obras_staff)
    assert act(client, pothole, "assign_me").status_code == 302
    assert act(client, pothole, "start").status_code == 302
    assert act(client, pothole, "resolve", note="Bache cubierto con mezcla.").status_code == 302
    pothole.refresh_from_db()
    assert pothole.status == "resuelto" and pothole.assignee == obras_staff


def test_the_operator_sees_every_ticket_but_cannot_resolve(client, operator, pothole, leak):
    client.force_login(operator)
    listing = client.get(LIST)
    assert pothole.folio in listing.text and leak.folio in listing.text
    assert "resolve" not in listing.text, "no bulk resolve action offered"
    ticket_page = client.get(page(leak))
    assert ticket_page.status_code == 200
    assert 'value="resolve"' not in ticket_page.text
    response = act(client, leak, "resolve", note="Listo")
    assert response.status_code == 200  # re-rendered with the error, nothing changed
    leak.refresh_from_db()
    assert leak.status == "nuevo"


def test_the_operator_adds_a_note_from_a_callback(client, operator, leak):
    client.force_login(operator)
    response = act(client, leak, "note", note="El vecino llamó otra vez.")
    assert response.status_code == 302
    assert leak.events.filter(kind="note", actor=operator).exists()


def test_the_supervisor_sees_and_works_everything(client, supervisor, pothole, leak):
    client.force_login(supervisor)
    listing = client.get(LIST)
    assert pothole.folio in listing.text and leak.folio in listing.text
    assert act(client, leak, "no_procede", note="Es de CFE, no municipal.").status_code == 302
    leak.refresh_from_db()
    assert leak.status == "no_procede"


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:tickets_service_add"),
        reverse("admin:tickets_nonworkingday_add"),
        reverse("admin:tickets_workinghours_changelist"),
    ],
)
def test_only_the_supervisor_edits_the_catalogue_and_the_calendar(client, supervisor, obras_staff, operator, url):
    for persona in (obras_staff, operator):
        client.force_login(persona)
        assert client.get(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


def test_the_supervisor_adds_a_service_and_a_day_off_without_a_deploy(client, supervisor):
    client.force_login(supervisor)
    obras = Service.objects.get(code="bacheo").department
    response = client.post(
        reverse("admin:tickets_service_add"),
        {
            "name": "Atención a banquetas dañadas",
            "code": "banquetas",
            "description": "Banquetas rotas.",
            "group": "Vialidades",
            "open311_group": "streets",
            "department": obras.pk,
            "sla_hours": 72,
            "citizen_reportable": "on",
            "is_active": "on",
            "attributes-TOTAL_FORMS": 0,
            "attributes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content
    assert Service.objects.reportable_by_residents().filter(code="banquetas").exists()
    response = client.post(
        reverse("admin:tickets_nonworkingday_add"),
        {
            "date": "2026-12-12",
            "name": "Día de la Virgen de Guadalupe",
            "source": "municipal",
        },
    )
    assert response.status_code == 302
    assert NonWorkingDay.objects.filter(date="2026-12-12").exists()


def test_the_supervisor_links_a_colonia_to_its_delegacion_from_the_list(client, supervisor):
    client.force_login(supervisor)
    colonia = Colonia.objects.get(name="Arcos del Prado")
    delegacion = Delegacion.objects.get(key="coaxustenco")
    listing = client.get(reverse("admin:tickets_colonia_changelist"), {"q": "Arcos del Prado"})
    assert listing.status_code == 200
    response = client.post(
        reverse("admin:tickets_colonia_changelist") + "?q=Arcos+del+Prado",
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": colonia.pk,
            "form-0-delegacion": delegacion.pk,
            "_save": "Guardar",
        },
    )
    assert response.status_code == 302
    colonia.refresh_from_db()
    assert colonia.delegacion == delegacion


def test_nobody_deletes_tickets(client, supervisor, pothole):
    client.force_login(supervisor)
    assert client.get(reverse("admin:tickets_ticket_delete", args=[pothole.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, pothole):
    response = client.get(page(pothole))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_the_menu_follows_a_change_of_permissions_at_the_next_page(client, obras_staff):
    from django.contrib.auth.models import Permission

    client.force_login(obras_staff)
    assert "/admin/tickets/nonworkingday/" not in client.get("/admin/").text
    obras_staff.user_permissions.add(Permission.objects.get(codename="view_nonworkingday"))
    menu = client.get("/admin/tickets/ticket/").text
    assert "/admin/tickets/nonworkingday/" in menu  # the sidebar, built for the new permission set
    obras_staff.user_permissions.clear()
    assert "/admin/tickets/nonworkingday/" not in client.get("/admin/").text
