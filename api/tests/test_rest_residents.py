"""What the residents' app does with no account: file a report (photos, retries), then, with
its private token, read it, add information, say "no se resolvió", and rate the service."""

import pytest
from PIL import Image

from conftest import local
from tickets import lifecycle
from tickets.models import Channel, Colonia, Submission, Ticket, TicketEvent
from tickets.tests import images

URL = "/api/v1/reports/"


@pytest.fixture
def report(db):
    colonia = Colonia.objects.get(name="Coaxustenco")
    return {
        "service": "bacheo",
        "description": "Bache profundo frente a la escuela.",
        "address": "Av. Tecnológico 100",
        "colonia": colonia.pk,
        "reporter_email": "vecina@example.com",
    }


def test_a_report_in_json_gives_folio_due_date_and_a_private_token(
    api, report, frozen, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, {**report, "attributes": {"tamano": "grande"}}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(folio=body["folio"])
    assert ticket.channel == Channel.APP and ticket.attributes == {"tamano": "grande"}
    assert body["token"] == ticket.reporter_token and body["due_at"].endswith("-06:00")
    assert body["due_words"].startswith("a más tardar el")
    assert body["private_url"].endswith(f"/seguimiento/{ticket.folio}/{ticket.reporter_token}/")
    assert response["Cache-Control"] == "private, no-store"
    assert len(mailoutbox) == 1 and ticket.folio in mailoutbox[0].subject  # the same confirmation as the web


def test_a_multipart_report_with_three_photos_stripped_of_their_metadata(api, report, frozen):
    files = [images.upload(f"f{i}.jpg") for i in range(3)]
    response = api.post(URL, {**report, "photos": files, "attributes": '{"tamano": "chico"}'}, format="multipart")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert ticket.photos.count() == 3 and ticket.attributes == {"tamano": "chico"}
    with Image.open(ticket.photos.first().image.path) as stored:
        assert not stored.getexif()
    assert ticket.events.filter(kind=TicketEvent.Kind.PHOTO).count() == 1
    four = api.post(URL, {**report, "photos": [images.upload(f"g{i}.jpg") for i in range(4)]}, format="multipart")
    assert four.status_code == 400 and four.json()["errors"]["photos"] == ["Puede agregar hasta 3 fotos."]


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"description": ""}, "description", "Describa el problema."),
        ({"service": "emergencia-policia"}, "service", "llame al 911"),
        ({"service": "nada"}, "service", "No existe el servicio «nada»."),
        ({"latitude": "19.43", "longitude": "-99.13"}, "location", "fuera del municipio"),
        ({"latitude": "19.25"}, "location", "El punto está incompleto"),
        ({"reporter_phone": "123"}, "reporter_phone", "Escriba su teléfono a 10 dígitos"),
        ({"colonia": 999999}, "colonia", "No existe la colonia 999999."),
        ({"attributes": {"tamano": "enorme"}}, "attributes.tamano", "Elija una opción válida"),
        ({"attributes": "no es json"}, "attributes", "objeto JSON"),
    ],
)
def test_the_web_forms_refusals_with_its_words(api, report, frozen, change, field, message):
    response = api.post(URL, {**report, **change}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert any(message in m for m in body["errors"][field]), body
    assert not Ticket.objects.exists()


def test_the_same_idempotency_key_makes_one_ticket_and_another_body_is_422(api, report, frozen):
    headers = {"Idempotency-Key": "telefono-1:intento"}
    first = api.post(URL, report, format="json", headers=headers)
    again = api.post(URL, report, format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1 and Submission.objects.get().key == "app:telefono-1:intento"
    other = api.post(URL, {**report, "description": "Otro bache"}, format="json", headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert "token" not in other.json()  # never someone else's private token
    too_long = api.post(URL, report, format="json", headers={"Idempotency-Key": "x" * 101})
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["errors"]


def test_the_web_and_the_app_share_one_rate_limit_per_address(api, client, report, frozen, settings):
    settings.REPORT_RATE_LIMITS = ["2/10m"]
    assert api.post(URL, report, format="json").status_code == 201
    web = {**report, "submission_key": "k1", "confirm_new": "1", "colonia": report["colonia"]}
    assert client.post("/reportar/bacheo/", web).status_code == 302
    refused = api.post(URL, report, format="json")
    assert refused.status_code == 429 and "*7311" in refused.json()["detail"] and refused["Retry-After"]
    assert Ticket.objects.count() == 2


@pytest.fixture
def filed(api, report, frozen):
    return api.post(URL, report, format="json").json()


def test_the_token_reads_the_report_and_what_may_be_done(api, filed):
    mine = api.get(f"{URL}{filed['token']}/").json()
    assert mine["folio"] == filed["folio"] and mine["can_add_info"] is True
    assert mine["can_reopen"] is False and mine["can_rate"] is False and mine["rating"] is None
    assert "reporter_email" not in mine
    assert api.get(f"{URL}no-es-un-token/").status_code == 404


def test_adding_information_and_a_photo_while_open(api, filed):
    response = api.post(
        f"{URL}{filed['token']}/info/", {"text": "Ya está más grande.", "photos": [images.upload()]}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["report"]["timeline"][-1]["title"] == "Fotos agregadas"
    ticket = Ticket.objects.get()
    assert ticket.events.filter(kind=TicketEvent.Kind.NOTE, is_public=True, via="app").exists()
    empty = api.post(f"{URL}{filed['token']}/info/", {"text": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["errors"] == {
        "text": ["Escriba la información que quiere agregar."]
    }


def test_no_se_resolvio_reopens_within_30_days_then_a_rating(api, filed, obras_staff, time_machine):
    ticket = Ticket.objects.get()
    closed_too_early = api.post(f"{URL}{filed['token']}/reopen/", {"comment": "Sigue igual"}, format="json")
    assert closed_too_early.status_code == 409 and "Solo un ticket resuelto" in closed_too_early.json()["detail"]
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo", at=local(2026, 12, 7, 12))
    no_reason = api.post(f"{URL}{filed['token']}/reopen/", {}, format="json")
    assert no_reason.status_code == 400 and list(no_reason.json()["errors"]) == ["comment"]
    reopened = api.post(f"{URL}{filed['token']}/reopen/", {"comment": "Sigue igual"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["report"]["status"] == "en_proceso"
    assert reopened.json()["report"]["can_rate"] is True
    rated = api.post(f"{URL}{filed['token']}/rating/", {"rating": 2}, format="json")
    assert rated.status_code == 200 and rated.json()["report"]["rating"] == {"rating": 2, "solved": False}
    twice = api.post(f"{URL}{filed['token']}/rating/", {"rating": 5}, format="json")
    assert twice.status_code == 409


def test_the_reopen_window_closes_after_30_days(api, filed, obras_staff, time_machine):
    ticket = Ticket.objects.get()
    lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo", at=local(2026, 12, 7, 12))
    time_machine.move_to(local(2027, 1, 7, 12), tick=False)
    late = api.post(f"{URL}{filed['token']}/reopen/", {"comment": "Sigue igual"}, format="json")
    assert late.status_code == 409 and "30 días" in late.json()["detail"]
    assert api.get(f"{URL}{filed['token']}/").json()["can_reopen"] is False


def test_a_rating_after_resolution(api, filed, obras_staff):
    assert api.post(f"{URL}{filed['token']}/rating/", {"rating": 5}, format="json").status_code == 409  # open
    lifecycle.ticket_resolve(ticket=Ticket.objects.get(), actor=obras_staff, public_note="Listo")
    bad = api.post(f"{URL}{filed['token']}/rating/", {"rating": 9}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]["rating"] == ["Elija una calificación del 1 al 5."]
    good = api.post(f"{URL}{filed['token']}/rating/", {"rating": 5, "comment": "Rápido"}, format="json")
    assert good.json()["report"]["rating"] == {"rating": 5, "solved": True}


def test_a_body_too_large_is_a_413_in_the_api_shape(api, report, settings, frozen):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(URL, {**report, "description": "x" * 5000}, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_behind_a_proxy_a_request_without_the_forwarded_header_is_still_counted(api, report, frozen, settings):
    """django-ratelimit's own "ip" key fails (500) when RATELIMIT_IP_META_KEY is missing."""
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    settings.REPORT_RATE_LIMITS = ["1/10m"]
    assert api.post(URL, report, format="json").status_code == 201
    assert api.post(URL, report, format="json").status_code == 429  # counted under REMOTE_ADDR
    forwarded = api.post(URL, report, format="json", headers={"X-Forwarded-For": "201.141.10.5, 10.0.0.1"})
    assert forwarded.status_code == 201  # another resident, seen through the proxy
