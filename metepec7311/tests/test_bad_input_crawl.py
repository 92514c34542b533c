"""Bad input is a 4xx, never a 500, anywhere (issue #10): every public page, download, feed
and API, and the admin's ticket list, with hostile values in every path parameter and every
query parameter they read (NUL bytes, absurd lengths, malformed ids, numbers and dates,
markup, SQL, invalid UTF-8). Each request's status is collected, and all 5xx are listed at
once."""

from urllib.parse import quote

import pytest
from django.test import Client

from api.models import ApiClient
from api.tests.test_privacy import PUBLIC_DOWNLOADS, openapi
from metepec7311.testing.staff import StaffClient
from stats import snapshot

# Raw query-string values (already percent-encoded where they must be).
HOSTILE = [
    "%00",
    "x" * 3000,
    "-1",
    "0",
    "1e309",
    "99999999999999999999999999",
    "2026-02-30",
    "2026-13",
    "31/02/2026",
    "2026-12-01T25:61:00",
    "null",
    "%5B%5D",  # []
    "%7B%7D",  # {}
    "%FF%FE",  # not UTF-8
    "%3Cscript%3E",
    "%27%20OR%201%3D1%20--",
    "%F0%9F%99%82",  # 🙂
    "1,2,3",
    "%20",
    "..%2F..%2Fetc%2Fpasswd",
]

# Query parameters the portal's public pages and Open311 read.
PAGE_PARAMS = [
    "page", "page_size", "pagina", "tipo", "desde", "hasta", "servicio", "delegacion", "colonia",
    "localidad", "folio", "resuelto", "q", "status", "service", "service_code", "service_request_id",
    "start_date", "end_date", "updated_after", "updated_before", "lat", "long", "radius", "extensions",
    "jurisdiction_id", "api_key", "format", "ordering", "cursor",
]  # fmt: skip

ADMIN_PARAMS = [
    "status__exact", "service__id__exact", "department__id__exact", "delegacion", "sla", "channel__exact",
    "priority__exact", "q", "o", "p", "created_at__gte", "e", "all", "_facets", "colonia__id__exact",
]  # fmt: skip


@pytest.fixture
def world(make_ticket, frozen):
    ticket = make_ticket("bacheo")
    snapshot.recompute()  # the public numbers exist (without them a few pages are a deliberate 503)
    return {"folio": ticket.folio, "token": ticket.reporter_token}


def public_urls(world):
    folio = world["folio"]
    urls = [
        *PUBLIC_DOWNLOADS,
        f"/seguimiento/{folio}/",
        f"/seguimiento/{folio}/{world['token']}/",
        f"/reportar/recibido/{world['token']}/",
        "/encuestas/encuesta_7311/",
        "/encuesta_7311/gracias/",
    ]
    resources = ("discovery", "services", "services/bacheo", "requests", f"requests/{folio}", "servicerequestupdates")
    for resource in resources:
        urls += [f"/open311/v2/{resource}.json", f"/open311/v2/{resource}.xml"]
    return urls


def rest_operations():
    """(path template, its query parameters) of every public GET of the REST API's schema."""
    for path, operations in openapi()["paths"].items():
        get = operations.get("get")
        if get and not path.startswith("/api/v1/staff/"):
            yield path, [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]


def crawl(client, urls_and_params):
    failures, count = [], 0
    for url, params in urls_and_params:
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in params)
            response = client.get(f"{url}?{query}")
            count += 1
            if response.status_code >= 500:
                failures.append((url, value[:20], response.status_code))
    return failures, count


def test_no_public_page_download_or_open311_answer_is_a_500(db, world):
    client = Client(raise_request_exception=False)
    failures, count = crawl(client, [(url, PAGE_PARAMS) for url in public_urls(world)])
    assert not failures, failures
    assert count > 500


def test_no_rest_api_answer_is_a_500_in_any_parameter_or_path_part(db, world):
    client = Client(raise_request_exception=False)
    values = {"folio": world["folio"], "code": "bacheo", "slug": "encuesta_7311", "id": "1", "cvegeo": "150540001",
              "token": world["token"]}  # fmt: skip
    targets = []
    for path, params in rest_operations():
        concrete = path
        for name, value in values.items():
            concrete = concrete.replace(f"{{{name}}}", value)
        targets.append((concrete, params or ["page"]))
        # The same path with every path part hostile.
        if "{" in path or concrete != path:
            for value in HOSTILE[:8]:
                hostile = path
                for name in values:
                    hostile = hostile.replace(f"{{{name}}}", quote(value, safe="%"))
                response = client.get(hostile)
                assert response.status_code < 500, (hostile, response.status_code)
    failures, count = crawl(client, targets)
    assert not failures, failures
    assert count > 100


def test_hostile_path_parts_of_public_pages_are_4xx(db, world):
    client = Client(raise_request_exception=False)
    failures = []
    for template in ("/seguimiento/{}/", "/seguimiento/{}/{}/", "/reportar/recibido/{}/", "/reportar/{}/",
                     "/noticias/{}/", "/encuestas/{}/", "/encuestas/{}/resultados/", "/estadisticas/{}.csv",
                     "/open311/v2/requests/{}.json", "/open311/v2/services/{}.xml"):  # fmt: skip
        for value in HOSTILE:
            url = template.replace("{}", value)
            response = client.get(url)
            if response.status_code >= 500:
                failures.append((url[:80], response.status_code))
    assert not failures, failures


@pytest.mark.parametrize("persona", ["supervisor", "obras_staff"])
def test_no_admin_ticket_list_filter_is_a_500(request, world, persona):
    client = StaffClient(raise_request_exception=False)
    client.force_login(request.getfixturevalue(persona))
    failures = []
    for name in ADMIN_PARAMS:
        for value in HOSTILE:
            response = client.get(f"/admin/tickets/ticket/?{name}={value}")
            if response.status_code >= 500:
                failures.append((name, value[:20], response.status_code))
    assert not failures, failures


def test_absurdly_long_submissions_are_refused_with_a_4xx(db, world):
    client = Client(raise_request_exception=False)
    _, app_key = ApiClient.objects.create_key(name="App", contact="app@metepec.example")
    huge = "x" * 3_000_000  # over DATA_UPLOAD_MAX_MEMORY_SIZE
    for url, form in (
        ("/reportar/bacheo/", {"description": huge, "address": "Calle 1"}),
        ("/encuesta_7311/", {"comentario": huge}),
        ("/open311/v2/requests.json", {"api_key": app_key, "service_code": "bacheo", "description": huge}),
        ("/api/v1/reports/", {"service": "bacheo", "description": huge}),
        (f"/seguimiento/{world['folio']}/{world['token']}/", {"text": huge}),
    ):
        response = client.post(url, form)
        assert 400 <= response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("url", ["/api/v1/tickets/?resolved_before=3002-09-08T00%3A02%3A05.56-20%3A33",
                                 "/open311/v2/requests.json?start_date=2026-11-01T00%3A00%3A00-20%3A33"])  # fmt: skip
def test_a_time_zone_offset_postgresql_refuses_is_compared_in_utc(db, url, supervisor):
    client = StaffClient()
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
