"""Open311 GET requests, a single request, tokens and mySociety's servicerequestupdates."""

from datetime import timedelta

import pytest

from api.open311 import views
from api.tests.support import as_dict, xml
from conftest import local
from tickets import lifecycle
from tickets.tests import images

BASE = "/open311/v2"
FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def tickets(make_ticket, supervisor, frozen):
    """A resolved pothole with a point and a photo, an open leak, and an old street light."""
    pothole = make_ticket(
        "bacheo",
        latitude="19.254512",
        longitude="-99.605349",
        at=local(2026, 12, 1, 9),
        photos=[images.cleaned()],
        attributes={"tamano": "grande"},
    )
    lifecycle.ticket_resolve(ticket=pothole, actor=supervisor, public_note="Se bacheó.", at=local(2026, 12, 2, 10))
    leak = make_ticket("fuga-agua", at=local(2026, 12, 3, 11))
    old = make_ticket("alumbrado", at=local(2026, 8, 1, 10))
    return {"pothole": pothole, "leak": leak, "old": old}


def ids(response):
    return [item["service_request_id"] for item in response.json()]


def test_each_request_has_the_specs_fields_in_order_with_w3c_dates_and_rounded_points(client, tickets):
    items = client.get(f"{BASE}/requests.json").json()
    assert isinstance(items, list)
    pothole = next(i for i in items if i["service_request_id"] == tickets["pothole"].folio)
    assert list(pothole) == FIELDS
    assert pothole["status"] == "closed" and pothole["status_notes"] == "Se bacheó."
    assert pothole["service_code"] == "bacheo" and pothole["agency_responsible"] == "Dirección de Obras Públicas"
    assert pothole["requested_datetime"] == "2026-12-01T09:00:00-06:00"
    assert pothole["expected_datetime"] is None  # closed: nothing is expected any more
    assert (pothole["lat"], pothole["long"]) == (19.2545, -99.6053)
    assert pothole["address"] == "Av. Tecnológico 100, Coaxustenco" and pothole["zipcode"] == "52140"
    assert pothole["media_url"].startswith("http://testserver/media/tickets/")
    leak = next(i for i in items if i["service_request_id"] == tickets["leak"].folio)
    assert leak["status"] == "open"
    assert leak["expected_datetime"] == tickets["leak"].due_at.astimezone(local(2026, 1, 1).tzinfo).isoformat()
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    first = as_dict(root.find("request"))
    assert list(first) == FIELDS
    assert first["lat"] in ("", "19.2545")


def test_the_default_window_is_the_last_90_days_newest_first(client, tickets):
    assert ids(client.get(f"{BASE}/requests.json")) == [tickets["leak"].folio, tickets["pothole"].folio]


def test_dates_status_and_service_code_narrow_the_list(client, tickets):
    old = client.get(f"{BASE}/requests.json", {"start_date": "2026-07-15T00:00:00-06:00", "end_date": "2026-08-31"})
    assert ids(old) == [tickets["old"].folio]
    utc = client.get(
        f"{BASE}/requests.json", {"start_date": "2026-12-03T17:00:00Z", "end_date": "2026-12-03T17:01:00Z"}
    )
    assert ids(utc) == [tickets["leak"].folio]  # 11:00 in Metepec
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == [tickets["leak"].folio]
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == [tickets["pothole"].folio]
    assert len(ids(client.get(f"{BASE}/requests.json", {"status": "open,closed"}))) == 2
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "fuga-agua,alumbrado"})) == [tickets["leak"].folio]


def test_service_request_id_overrides_every_other_argument(client, tickets):
    wanted = f"{tickets['old'].folio},{tickets['pothole'].folio}"
    response = client.get(
        f"{BASE}/requests.json", {"service_request_id": wanted, "status": "open", "start_date": "2026-12-05"}
    )
    assert sorted(ids(response)) == sorted(wanted.split(","))


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2026-01-01T00:00:00-06:00", "end_date": "2026-06-01T00:00:00-06:00"},  # more than 90 days
        {"start_date": "2026-12-05", "end_date": "2026-12-01"},
        {"start_date": "mañana"},
        {"status": "abierto"},
        {"page": "0"},
        {"page_size": "5000"},
        {"page": "x"},
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_arguments_are_a_400_in_the_specs_format(client, db, query, fmt):
    response = client.get(f"{BASE}/requests.{fmt}", query)
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()[0]["code"] == 400
    else:
        assert xml(response).find("error").find("code").text == "400"


def test_pages_of_the_extension(client, tickets):
    assert ids(client.get(f"{BASE}/requests.json", {"page_size": 1})) == [tickets["leak"].folio]
    assert ids(client.get(f"{BASE}/requests.json", {"page_size": 1, "page": 2})) == [tickets["pothole"].folio]
    assert ids(client.get(f"{BASE}/requests.json", {"page_size": 1, "page": 3})) == []


def test_at_most_1000_requests_by_default(client, make_ticket, monkeypatch):
    monkeypatch.setattr(views, "LIMIT", 2)  # the same code path as 1,000, with fewer rows
    for _ in range(3):
        make_ticket("topes")
    assert len(client.get(f"{BASE}/requests.json").json()) == 2
    assert len(client.get(f"{BASE}/requests.json", {"page": 2}).json()) == 1


def test_extensions_add_channel_duplicate_notes_photos_and_due_date(client, tickets, make_ticket, supervisor):
    duplicate = make_ticket("bacheo", at=local(2026, 12, 4, 9))
    parent = tickets["leak"]
    lifecycle.ticket_mark_duplicate(ticket=duplicate, parent=parent, actor=supervisor, at=local(2026, 12, 4, 10))
    lifecycle.ticket_add_note(ticket=parent, actor=supervisor, text="Cuadrilla en camino.", public=True)
    lifecycle.ticket_add_note(ticket=parent, actor=supervisor, text="Interno: llamar a Pepe.")
    items = {i["service_request_id"]: i for i in client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()}
    extended = items[duplicate.folio]["extended_attributes"]
    assert extended["duplicate"] is True and extended["parent_service_request_id"] == parent.folio
    assert extended["channel"] == "web" and extended["detailed_status"] == "duplicado"
    leak = items[parent.folio]
    assert leak["extended_attributes"]["sla_due_datetime"] == leak["expected_datetime"]
    assert leak["extended_attributes"]["affected_residents"] == 2
    notes = [n["description"] for n in leak["notes"]]
    assert "Cuadrilla en camino." in notes and not any("Pepe" in (n or "") for n in notes)
    assert len(items[tickets["pothole"].folio]["extended_attributes"]["photos"]) == 1
    root = xml(client.get(f"{BASE}/requests.xml", {"extensions": "true", "service_request_id": parent.folio}))
    request = root.find("request")
    assert request.find("extended_attributes").find("duplicate").text == "false"
    assert [n.find("summary").text for n in request.find("notes").findall("note")][0] == "Reporte recibido"
    assert "extended_attributes" not in client.get(f"{BASE}/requests.json").json()[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_single_request_is_a_list_of_one_and_unknown_ids_are_404(client, tickets, fmt):
    folio = tickets["pothole"].folio
    response = client.get(f"{BASE}/requests/{folio}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert isinstance(response.json(), list) and ids(response) == [folio]
    else:
        assert [r.find("service_request_id").text for r in xml(response).findall("request")] == [folio]
    assert client.get(f"{BASE}/requests/7311-2026-999999.{fmt}").status_code == 404
    assert client.get(f"{BASE}/requests/hola.{fmt}").status_code == 404


def test_the_list_is_cached_until_a_ticket_changes(
    client, tickets, supervisor, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    first = client.get(f"{BASE}/requests.json").json()
    with django_assert_max_num_queries(0):  # the version of the tickets is in the shared cache
        assert client.get(f"{BASE}/requests.json").json() == first
    with django_capture_on_commit_callbacks(execute=True):  # as when the change commits
        lifecycle.ticket_resolve(ticket=tickets["leak"], actor=supervisor, public_note="Reparada.")
    after = {i["service_request_id"]: i for i in client.get(f"{BASE}/requests.json").json()}
    assert after[tickets["leak"].folio]["status"] == "closed"  # visible at once


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_updates_are_the_public_changes_with_fixmystreet_statuses(client, tickets, supervisor, fmt):
    leak = tickets["leak"]
    lifecycle.ticket_assign(ticket=leak, actor=supervisor, assignee=supervisor, at=local(2026, 12, 3, 12))
    lifecycle.ticket_add_note(ticket=leak, actor=supervisor, text="Interno.", at=local(2026, 12, 3, 12, 30))
    lifecycle.ticket_add_note(
        ticket=leak, actor=supervisor, text="Mañana vamos.", public=True, at=local(2026, 12, 3, 13)
    )
    window = {"start_date": "2026-12-03T11:30:00-06:00", "end_date": "2026-12-03T18:00:00-06:00"}
    response = client.get(f"{BASE}/servicerequestupdates.{fmt}", window)
    assert response.status_code == 200
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "service_request_updates"
        updates = [as_dict(u) for u in root.findall("request_update")]
    else:
        updates = response.json()
    assert [(u["service_request_id"], u["status"], u["description"]) for u in updates] == [
        (leak.folio, "ACTION_SCHEDULED", "Estado: Asignado"),
        (leak.folio, "ACTION_SCHEDULED", "Mañana vamos."),  # a note carries the status it was made in
    ]
    assert all(u["update_id"] and u["updated_datetime"].endswith("-06:00") for u in updates)


def test_updates_carry_the_photo_of_the_work_and_the_final_status(client, tickets, supervisor):
    leak = tickets["leak"]
    at = local(2026, 12, 3, 15)
    lifecycle.ticket_add_photos(ticket=leak, photos=[images.cleaned()], actor=supervisor, public=True, at=at)
    lifecycle.ticket_resolve(ticket=leak, actor=supervisor, public_note="Reparada.", at=at + timedelta(minutes=5))
    updates = client.get(f"{BASE}/servicerequestupdates.json", {"start_date": "2026-12-03T14:00:00-06:00"}).json()
    assert [u["status"] for u in updates] == ["OPEN", "FIXED"]
    assert updates[0]["media_url"].startswith("http://testserver/media/") and updates[1]["description"] == "Reparada."
    assert updates[1]["external_status_code"] == "resuelto"


def test_text_xml_cannot_carry_is_replaced_not_a_broken_document(client, make_ticket):
    ticket = make_ticket("bacheo", description="Bache\x0bgrande\x1f.")
    root = xml(client.get(f"{BASE}/requests/{ticket.folio}.xml"))
    assert root.find("request").find("description").text == "Bache\ufffdgrande\ufffd."
    assert client.get(f"{BASE}/requests/{ticket.folio}.json").json()[0]["description"] == "Bache\x0bgrande\x1f."


def test_a_nul_byte_is_refused_by_every_door(client, app_key, db):
    response = client.post(
        f"{BASE}/requests.json",
        {"api_key": app_key, "service_code": "bacheo", "address_string": "Calle\x001", "description": "Bache"},
    )
    assert response.status_code == 400 and "caracteres no válidos" in response.json()[0]["description"]
