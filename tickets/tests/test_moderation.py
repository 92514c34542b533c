"""Moderation (issue #10): a supervisor hides or redacts a description, a note or a photo that
carries personal data or abuse; the public sees the new version everywhere at once, the
original stays in the record for moderators only, and the trail says who and why."""

from datetime import timedelta

import pytest

from api.tests.support import REPORTER
from stats import snapshot
from tickets import lifecycle
from tickets.lifecycle.moderation import HIDDEN_TEXT
from tickets.models import Moderation
from tickets.tests import images

SECRET_PHONE = "7221234567"


@pytest.fixture
def careless(make_ticket, frozen):
    """A resident put a neighbour's name and phone in the description, and a photo."""
    return make_ticket(
        "bacheo",
        description=f"Bache enorme frente a la casa de Don Anselmo, tel {SECRET_PHONE}.",
        photos=[images.cleaned()],
        **REPORTER,
    )


def public_answers(client, ticket):
    """What the public reads about the ticket: its page, Open311, the REST API, the open data."""
    snapshot.recompute()
    answers = {
        "page": client.get(f"/seguimiento/{ticket.folio}/").text,
        "open311": client.get(f"/open311/v2/requests/{ticket.folio}.json").text,
        "rest": client.get(f"/api/v1/tickets/{ticket.folio}/").text,
    }
    csv = client.get("/datos/tickets.csv")
    answers["csv"] = b"".join(csv.streaming_content).decode()
    return answers


def moderate(client, ticket, **data):
    form = {"target": "descripcion", "item": "", "mode": "editar", "reason": "datos_personales",
            "explanation": "Teléfono de un tercero.", **data}  # fmt: skip
    return client.post(f"/admin/tickets/ticket/{ticket.pk}/moderar/", form)


def test_a_supervisor_redacts_a_description_everywhere_and_the_original_is_kept(client, supervisor, careless):
    before = public_answers(client, careless)
    assert all(SECRET_PHONE in before[where] for where in ("page", "open311", "rest"))  # the open data has no text
    client.force_login(supervisor)
    page = client.get(f"/admin/tickets/ticket/{careless.pk}/change/")
    assert "Moderar contenido" in page.text

    response = moderate(client, careless, replacement="Bache enorme frente a una casa.")
    assert response.status_code == 302
    client.logout()
    for where, text in public_answers(client, careless).items():
        assert SECRET_PHONE not in text and "Anselmo" not in text, where
    tracking = client.get(f"/seguimiento/{careless.folio}/").text
    assert "Bache enorme frente a una casa." in tracking
    assert "Descripción del reporte: editada por moderación" in tracking
    assert "datos personales" in tracking

    record = Moderation.objects.get(ticket=careless)
    assert SECRET_PHONE in record.original and record.actor == supervisor
    assert record.explanation == "Teléfono de un tercero."
    client.force_login(supervisor)
    assert SECRET_PHONE in client.get(f"/admin/tickets/ticket/{careless.pk}/moderar/").text  # the record, for her


def test_a_note_is_hidden_and_a_photo_taken_off_the_public_page(
    client, supervisor, careless, django_capture_on_commit_callbacks
):
    lifecycle.ticket_add_reporter_info(ticket=careless, text="El vecino es un ****** y no deja pasar.")
    note = careless.events.get(note__startswith="El vecino")
    photo = careless.photos.get()
    client.force_login(supervisor)
    assert moderate(client, careless, target="nota", item=note.pk, mode="ocultar", reason="abuso").status_code == 302
    old_name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        response = moderate(client, careless, target="foto", item=photo.pk, mode="ocultar", reason="datos_personales")
    assert response.status_code == 302

    client.logout()
    tracking = client.get(f"/seguimiento/{careless.folio}/").text
    assert "El vecino es" not in tracking and HIDDEN_TEXT in tracking
    assert photo.image.url not in tracking
    photo.refresh_from_db()
    assert not photo.is_public and photo.image.storage.exists(photo.image.name)  # kept for staff
    assert photo.image.name != old_name and not photo.image.storage.exists(old_name)  # its old link is dead
    assert set(Moderation.objects.values_list("target", flat=True)) == {"nota", "foto"}


def test_a_form_with_no_reason_keeps_what_was_typed_and_changes_nothing(client, supervisor, careless):
    client.force_login(supervisor)
    response = moderate(client, careless, replacement="Texto corregido a medias", reason="", explanation="")
    assert response.status_code == 200
    assert "Texto corregido a medias" in response.text
    assert "Elija el motivo de la moderación." in response.text
    assert "Explique por qué se modera" in response.text
    careless.refresh_from_db()
    assert SECRET_PHONE in careless.description
    assert not Moderation.objects.exists()


def test_department_staff_cannot_moderate(client, obras_staff, careless):
    client.force_login(obras_staff)
    assert "Moderar contenido" not in client.get(f"/admin/tickets/ticket/{careless.pk}/change/").text
    assert moderate(client, careless, replacement="x").status_code == 403
    with pytest.raises(lifecycle.Refused):
        lifecycle.ticket_moderate_text(ticket=careless, actor=obras_staff, reason="abuso", explanation="x")
    careless.refresh_from_db()
    assert SECRET_PHONE in careless.description


def test_the_record_is_read_only_and_erased_of_the_reporter_with_the_ticket(client, supervisor, careless, frozen):
    lifecycle.ticket_moderate_text(
        ticket=careless,
        actor=supervisor,
        reason="datos_personales",
        explanation="Nombre de quien reporta en la descripción.",
        replacement="Bache enorme.",
    )
    record = Moderation.objects.get()
    Moderation.objects.filter(pk=record.pk).update(original=f"Reporta {REPORTER['reporter_name']}: bache.")
    client.force_login(supervisor)
    page = client.get(f"/admin/tickets/moderation/{record.pk}/change/")
    assert page.status_code == 200 and "Guardar" not in page.text
    lifecycle.ticket_resolve(ticket=careless, actor=supervisor, public_note="Bacheado.")
    frozen.shift(timedelta(days=366))
    assert lifecycle.tickets_erase_personal_data() == 1
    record.refresh_from_db()
    assert record.original == "Reporta [dato personal borrado]: bache."
