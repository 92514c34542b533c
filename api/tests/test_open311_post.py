"""Open311 POST requests: through the lifecycle, with the web form's rules, the key's name in
the trail, the reporter kept private; keys, rate limits, retries and tokens."""

import io

import pytest
from django.core.management import call_command
from PIL import Image

from api.models import ApiClient
from api.tests.support import REPORTER, REPORTER_TRACES, xml
from tickets.models import Channel, Service, ServiceAttribute, Ticket, TicketEvent
from tickets.tests import images

URL = "/open311/v2/requests"
INSIDE = {"lat": "19.2545", "long": "-99.6053"}


def report(**extra):
    return {"service_code": "bacheo", "description": "Bache en la esquina", **INSIDE, **extra}


def test_a_post_creates_the_ticket_through_the_lifecycle_with_channel_api(client, app_key, frozen):
    response = client.post(
        f"{URL}.json",
        report(
            api_key=app_key,
            first_name="Rosalinda",
            last_name="Quintanar",
            email="Rosalinda@Privado.mx",
            phone="+52 722 999 8877",
            description="Bache grande\r\nfrente a la escuela",
        ),
    )
    assert response.status_code == 200
    [receipt] = response.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    ticket = Ticket.objects.get(folio=receipt["service_request_id"])
    assert ticket.channel == Channel.API and ticket.status == "nuevo" and ticket.due_at is not None
    assert ticket.description == "Bache grande\nfrente a la escuela"
    assert (ticket.reporter_name, ticket.reporter_email, ticket.reporter_phone) == (
        "Rosalinda Quintanar",
        "rosalinda@privado.mx",
        "7229998877",
    )
    assert ticket.locality is not None  # the point gives the INEGI locality
    created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
    assert created.actor_name == "App Metepec (Open311)" and created.via == "api"
    assert not any(trace in response.content.decode() for trace in REPORTER_TRACES)


def test_the_xml_answer_and_a_key_in_the_query_string(client, app_key, frozen):
    response = client.post(f"{URL}.xml?api_key={app_key}", report())
    request = xml(response).find("request")
    assert request.find("service_request_id").text.startswith("7311-2026-")
    assert request.find("token") is None  # realtime: the id, never both


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", [None, "", "no-es-una-clave", "abcd1234.falsa"])
def test_without_a_valid_key_a_post_is_a_403(client, db, fmt, key):
    data = report() if key is None else report(api_key=key)
    response = client.post(f"{URL}.{fmt}", data)
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_revoked_key_is_refused_and_its_last_use_was_recorded(client, app_key, frozen):
    assert client.post(f"{URL}.json", report(api_key=app_key)).status_code == 200
    credential = ApiClient.objects.get()
    assert credential.last_used_at is not None
    credential.revoke()
    assert client.post(f"{URL}.json", report(api_key=app_key)).status_code == 403


@pytest.mark.parametrize(
    "data, status, words",
    [
        ({"service_code": "nada"}, 404, "No existe el servicio"),
        ({"service_code": ""}, 400, "Falta service_code"),
        ({"lat": "19.43", "long": "-99.13"}, 400, "fuera del municipio"),
        ({"lat": "", "long": ""}, 400, "Indique la ubicación"),
        ({"lat": "norte"}, 400, "debe ser un número"),
        ({"service_code": "emergencia-policia"}, 400, "llame al 911"),
        ({"description": ""}, 400, "Describa el problema."),
        ({"description": "x" * 4001}, 400, "hasta 4,000 caracteres"),
        ({"attribute[tamano]": "enorme"}, 400, "Elija una opción válida"),
        ({"attribute[color]": "rojo"}, 400, "Preguntas desconocidas"),
        ({"email": "no-es-correo"}, 400, "correo válido"),
    ],
)
def test_the_web_forms_rules_give_the_specs_errors(client, app_key, frozen, data, status, words):
    response = client.post(f"{URL}.json", {**report(api_key=app_key), **data})
    assert response.status_code == status, response.content
    assert words in response.json()[0]["description"]
    assert not Ticket.objects.exists()


def test_an_address_alone_is_a_place(client, app_key, frozen):
    data = {**report(api_key=app_key, address_string="Calle Morelos 45, Metepec"), "lat": "", "long": ""}
    assert client.post(f"{URL}.json", data).status_code == 200
    assert Ticket.objects.get().address == "Calle Morelos 45, Metepec"


def test_a_required_attribute_and_a_multivaluelist(client, app_key, frozen):
    service = Service.objects.get(code="alumbrado")
    ServiceAttribute.objects.create(
        service=service,
        code="falla",
        question="¿Qué falla?",
        datatype="multivaluelist",
        required=True,
        choices=[{"key": "apagada", "name": "Apagada"}, {"key": "parpadea", "name": "Parpadea"}],
        order=9,
    )
    missing = client.post(f"{URL}.json", report(api_key=app_key, service_code="alumbrado"))
    assert missing.status_code == 400 and "¿Qué falla?" in missing.json()[0]["description"]
    body = report(api_key=app_key, service_code="alumbrado")
    body["attribute[falla][]"] = ["apagada", "parpadea"]
    body["attribute[luminarias]"] = "3"
    assert client.post(f"{URL}.json", body).status_code == 200
    assert Ticket.objects.get().attributes == {"falla": ["apagada", "parpadea"], "luminarias": 3}


def test_media_uploads_are_cleaned_like_web_photos(client, app_key, frozen):
    upload = images.upload("foto.jpg")
    response = client.post(f"{URL}.json", {**report(api_key=app_key), "media": [upload]})
    assert response.status_code == 200
    photo = Ticket.objects.get().photos.get()
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif() and "comment" not in stored.info  # no GPS, no camera, no comment
    bad = client.post(f"{URL}.json", {**report(api_key=app_key), "media": [images.upload("x.gif", images.gif_bytes())]})
    assert bad.status_code == 400 and "x.gif" in bad.json()[0]["description"]


def test_a_media_url_is_kept_for_staff_and_never_fetched(client, app_key, frozen):
    client.post(f"{URL}.json", report(api_key=app_key, media_url="https://fms.example/photo/1.jpeg"))
    note = Ticket.objects.get().events.get(kind=TicketEvent.Kind.NOTE)
    assert not note.is_public and "https://fms.example/photo/1.jpeg" in note.note


def test_an_idempotency_key_makes_retries_one_ticket_and_its_token_finds_it(client, app_key, frozen):
    headers = {"Idempotency-Key": "fms-42"}
    first = client.post(f"{URL}.json", report(api_key=app_key), headers=headers).json()
    again = client.post(f"{URL}.json", report(api_key=app_key), headers=headers).json()
    assert first == again and Ticket.objects.count() == 1
    other = client.post(f"{URL}.json", report(api_key=app_key, description="Otro"), headers=headers)
    assert other.status_code == 400 and "Idempotency-Key" in other.json()[0]["description"]
    token = client.get("/open311/v2/tokens/fms-42.json").json()
    assert token == [{"service_request_id": first[0]["service_request_id"], "token": "fms-42"}]
    assert client.get("/open311/v2/tokens/otro.xml").status_code == 404


def test_each_key_has_its_own_rate(client, db, frozen):
    _, key = ApiClient.objects.create_key(name="Lenta", rate="2/m")
    statuses = [client.post(f"{URL}.json", report(api_key=key)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    _, other = ApiClient.objects.create_key(name="Otra")
    assert client.post(f"{URL}.json", report(api_key=other)).status_code == 200


def test_create_api_key_prints_the_key_alone_on_its_last_line(client, db, frozen):
    out = io.StringIO()
    call_command("create_api_key", "FixMyStreet", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    credential = ApiClient.objects.get(name="FixMyStreet")
    assert key.startswith(credential.prefix + ".") and key not in credential.hashed_key  # stored hashed
    assert client.post(f"{URL}.json", report(api_key=key)).status_code == 200


def test_a_post_carries_the_reporter_fields_nowhere_public(client, app_key, frozen):
    body = report(
        api_key=app_key,
        first_name="Rosalinda",
        last_name="Quintanar",
        email=REPORTER["reporter_email"],
        phone="7229998877",
    )
    folio = client.post(f"{URL}.json", body).json()[0]["service_request_id"]
    for path in (f"{URL}.json", f"{URL}.xml", f"/open311/v2/requests/{folio}.xml", f"/seguimiento/{folio}/"):
        text = client.get(path, {"extensions": "true"}).content.decode()
        assert folio in text and not any(trace in text for trace in REPORTER_TRACES), path


def test_a_body_too_large_is_a_400_in_the_specs_format(client, app_key, settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(f"{URL}.xml", report(api_key=app_key, description="x" * 5000))
    assert response.status_code == 400 and "demasiado grande" in xml(response).find("error").find("description").text
