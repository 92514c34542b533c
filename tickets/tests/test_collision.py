"""Two people on one ticket: the page says when someone else changed it since it was opened,
and a move or a correction made from that stale page is refused with what they changed;
what was typed stays in the form, and sending again once seen applies it."""

import pytest
from django.urls import reverse

from tickets import lifecycle
from tickets.models import Priority, Status

PHOTOS_INLINE = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


def page(ticket):
    return reverse("admin:tickets_ticket_change", args=[ticket.pk])


@pytest.fixture
def pothole(make_ticket, frozen, obras_staff, supervisor):
    ticket = make_ticket("bacheo")
    return lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=obras_staff)


def opened(client, ticket):
    """The ticket page as a user opens it: the newest change it shows."""
    response = client.get(page(ticket))
    assert response.status_code == 200
    seen = response.context["action_form"].initial["seen_event"]
    assert response.context["adminform"].form.fields["seen_event"].initial == seen
    return seen


def test_a_move_from_a_stale_page_is_refused_with_the_colleagues_change(client, obras_staff, supervisor, pothole):
    client.force_login(obras_staff)
    seen = opened(client, pothole)
    # Meanwhile Sofía raises the priority.
    lifecycle.ticket_update_details(ticket=pothole, actor=supervisor, priority=Priority.ALTA)
    typed = "Voy con la cuadrilla 2; llevo mezcla asfáltica."
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "start", "note": typed, "seen_event": seen})
    assert response.status_code == 200
    assert "Sofía Supervisora cambió este ticket a las 10:00 (datos corregidos: prioridad: alta)" in response.text
    assert typed in response.text  # nothing typed is lost
    pothole.refresh_from_db()
    assert pothole.status == Status.ASIGNADO
    # The form shown again carries the colleague's change as seen: sending again applies.
    again = response.context["action_form"]["seen_event"].value()
    assert int(again) > seen
    done = client.post(
        page(pothole), {"_ticket_action": "1", "action": "start", "note": typed, "seen_event": again}, follow=True
    )
    assert "Atención iniciada." in done.text
    pothole.refresh_from_db()
    assert pothole.status == Status.EN_PROCESO


def test_the_users_own_changes_and_notes_are_never_a_collision(client, obras_staff, supervisor, pothole):
    client.force_login(obras_staff)
    seen = opened(client, pothole)
    lifecycle.ticket_add_note(ticket=pothole, actor=obras_staff, text="Yo mismo, en otra pestaña.")
    response = client.post(page(pothole), {"_ticket_action": "1", "action": "start", "seen_event": seen})
    assert response.status_code == 302
    # A colleague's change does not stop a note: it overwrites nothing.
    lifecycle.ticket_add_note(ticket=pothole, actor=supervisor, text="Cuadrilla 3 disponible.")
    response = client.post(
        page(pothole), {"_ticket_action": "1", "action": "note", "note": "Enterado.", "seen_event": seen}
    )
    assert response.status_code == 302
    assert pothole.events.filter(note="Enterado.").exists()


def test_a_correction_from_a_stale_page_is_refused_and_kept(client, obras_staff, supervisor, pothole):
    client.force_login(obras_staff)
    seen = opened(client, pothole)
    lifecycle.ticket_start(ticket=pothole, actor=supervisor)
    form = {
        "service": pothole.service_id,
        "priority": "normal",
        "colonia": pothole.colonia_id,
        "address": "Av. Tecnológico 102, frente al Oxxo",
        "seen_event": seen,
        "_save": "Guardar",
        **PHOTOS_INLINE,
    }
    response = client.post(page(pothole), form)
    assert response.status_code == 200
    assert "Sofía Supervisora cambió este ticket a las 10:00 (cambio de estado: En proceso)" in response.text
    assert "Av. Tecnológico 102, frente al Oxxo" in response.text
    pothole.refresh_from_db()
    assert pothole.address == "Av. Tecnológico 100"
    form["seen_event"] = response.context["adminform"].form["seen_event"].value()
    assert client.post(page(pothole), form).status_code == 302
    pothole.refresh_from_db()
    assert pothole.address == "Av. Tecnológico 102, frente al Oxxo"


def test_the_lifecycle_refuses_under_the_lock_whatever_the_door(pothole, obras_staff, supervisor):
    seen = pothole.events.order_by("-pk").first().pk
    lifecycle.ticket_start(ticket=pothole, actor=supervisor)
    with pytest.raises(lifecycle.Refused) as refused, lifecycle.unchanged_since(seen, obras_staff):
        lifecycle.ticket_resolve(ticket=pothole, actor=obras_staff, public_note="Listo")
    assert refused.value.kind == "conflict"
    pothole.refresh_from_db()
    assert pothole.status == Status.EN_PROCESO
    # Outside the block nothing is promised, and the move is judged on its merits.
    lifecycle.ticket_resolve(ticket=pothole, actor=obras_staff, public_note="Listo")


def test_the_page_asks_what_others_changed_since_it_was_opened(client, obras_staff, supervisor, pothole, make_ticket):
    client.force_login(obras_staff)
    seen = opened(client, pothole)
    changes = reverse("admin:tickets_ticket_changes", args=[pothole.pk])
    assert client.get(changes, {"desde": seen}).json() == {"changes": []}
    lifecycle.ticket_add_note(ticket=pothole, actor=obras_staff, text="Mío: no cuenta.")
    assert client.get(changes, {"desde": seen}).json() == {"changes": []}
    lifecycle.ticket_start(ticket=pothole, actor=supervisor)
    [change] = client.get(changes, {"desde": seen}).json()["changes"]
    assert change["message"] == (
        "Sofía Supervisora cambió este ticket a las 10:00 (cambio de estado: En proceso) después de que usted "
        "lo abrió. Recargue el ticket para verlo antes de actuar."
    )
    assert client.get(changes).status_code == 400
    # Another department's ticket does not exist for Óscar, here as everywhere.
    water = make_ticket("fuga-agua")
    assert client.get(reverse("admin:tickets_ticket_changes", args=[water.pk]), {"desde": 0}).status_code == 404
    # The page loads the script that asks.
    assert "tickets/collision.js" in client.get(page(pothole)).text
