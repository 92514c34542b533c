"""A reporter's planted name, phone and e-mail never appear in any anonymous or API-key answer:
every public REST endpoint of the OpenAPI schema and every Open311 resource, both formats,
`extensions=true` included."""

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command

from api.tests.support import REPORTER, REPORTER_TRACES
from conftest import PUBLIC_PAGES
from stats import snapshot
from stats.views import TABLES as STATS_TABLES
from tickets import lifecycle
from tickets.models import Locality, Ticket
from tickets.tests import images


@pytest.fixture
def planted(make_ticket, supervisor, client, app_key, frozen):
    """Tickets carrying the reporter's contact data, through every door, at every stage."""
    web = make_ticket("bacheo", latitude="19.2545", longitude="-99.6053", photos=[images.cleaned()], **REPORTER)
    lifecycle.ticket_add_note(ticket=web, actor=supervisor, text=f"Llamar a {REPORTER['reporter_name']}")
    lifecycle.ticket_add_note(ticket=web, actor=supervisor, text="Cuadrilla programada.", public=True)
    lifecycle.ticket_resolve(ticket=web, actor=supervisor, public_note="Se bacheó.")
    open311 = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": app_key,
            "service_code": "alumbrado",
            "lat": "19.2545",
            "long": "-99.6053",
            "description": "Luminaria apagada",
            "first_name": "Rosalinda",
            "last_name": "Quintanar",
            "email": REPORTER["reporter_email"],
            "phone": REPORTER["reporter_phone"],
        },
    ).json()[0]["service_request_id"]
    duplicate = make_ticket("bacheo", **REPORTER)
    lifecycle.ticket_mark_duplicate(ticket=duplicate, parent=web, actor=supervisor)
    snapshot.recompute()
    return {"web": web.folio, "open311": open311, "duplicate": duplicate.folio}


def rest_paths(folio):
    """Every GET path of the public REST API, from its own OpenAPI schema."""
    schema = openapi()
    values = {"folio": folio, "code": "bacheo", "slug": "encuesta_7311", "id": "1"}
    values["cvegeo"] = Locality.objects.first().cvegeo
    paths = []
    for path, operations in schema["paths"].items():
        if "get" not in operations or path.startswith("/api/v1/staff/") or "{token}" in path:
            continue
        paths.append(re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path))
    return paths


def openapi():
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


# Public pages, feeds and exports that list tickets or their numbers.
PUBLIC_DOWNLOADS = (
    *PUBLIC_PAGES,
    "/noticias/feed/",
    "/noticias/feed/atom/",
    "/sitemap.xml",
    "/datos/tickets.csv",
    "/datos/tickets.json",
    "/datos/tickets.geojson",
    "/datos/agregados-diarios.csv",
    "/datos/calificaciones-mensuales.csv",
    *(f"/estadisticas/{table}.csv" for table in STATS_TABLES),
    "/api/v1/stats/banner",
    "/mapa/puntos.json?bbox=-99.62,19.24,-99.59,19.27&zoom=17",  # points (both planted tickets with one)
    "/mapa/puntos.json?bbox=-99.66,19.20,-99.50,19.30&zoom=12",  # clusters
)

OPEN311 = [
    "discovery",
    "services",
    "services/bacheo",
    "requests",
    "requests/{folio}",
    "servicerequestupdates",
]


def assert_clean(text, where):
    found = [trace for trace in REPORTER_TRACES if trace.lower() in text.lower()]
    assert not found, f"{where} shows {found}"


def test_no_anonymous_or_api_key_answer_shows_the_reporter(client, planted, app_key):
    checked = 0
    for folio in planted.values():
        for path in rest_paths(folio):
            for query in ({}, {"page_size": 200}):
                response = client.get(path, query)
                assert response.status_code in (200, 404), (path, response.status_code)
                assert_clean(response.content.decode(), path)
                checked += 1
        for resource in OPEN311:
            for fmt in ("json", "xml"):
                for query in ({}, {"extensions": "true"}, {"extensions": "true", "api_key": app_key}):
                    url = f"/open311/v2/{resource.format(folio=folio)}.{fmt}"
                    response = client.get(url, query)
                    assert response.status_code == 200, url
                    assert_clean(response.content.decode(), url)
                    checked += 1
        response = client.get(f"/seguimiento/{folio}/")
        assert response.status_code == 200
        assert_clean(response.content.decode(), folio)
    # Every other public page, feed and download: the same for every ticket.
    for path in PUBLIC_DOWNLOADS:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert_clean(body.decode(), path)
        checked += 1
    assert checked > 100
    # The planted data is really there, for staff.
    assert Ticket.objects.filter(reporter_email=REPORTER["reporter_email"]).count() == 3


def test_the_schema_itself_never_describes_contact_data_as_public(client, db):
    schema = openapi()
    for name, component in schema["components"]["schemas"].items():
        if name.startswith("Staff") or name.endswith("Request"):
            continue  # staff answers, and inputs (the reporter gives them to us)
        assert "reporter_email" not in component.get("properties", {}), name


def test_after_the_retention_the_reporter_is_gone_from_the_staff_side_too(client, planted, supervisor, frozen):
    frozen.shift(timedelta(days=366))
    assert lifecycle.tickets_erase_personal_data() == 2  # the resolved one and the duplicate; Open311's is open
    client.force_login(supervisor)
    for folio in (planted["web"], planted["duplicate"]):
        ticket = Ticket.objects.get(folio=folio)
        assert_clean(client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").text, f"admin page of {folio}")
        assert_clean(client.get(f"/api/v1/staff/tickets/{folio}/").text, f"staff API of {folio}")
    note = Ticket.objects.get(folio=planted["web"]).events.get(note__startswith="Llamar a").note
    assert note == "Llamar a [dato personal borrado]"  # the staff note that repeated the name
    search = client.get("/admin/tickets/ticket/", {"q": REPORTER["reporter_phone"]}).text
    assert planted["web"] not in search and planted["duplicate"] not in search
    assert planted["open311"] in search  # still open: staff can still reach that resident
