"""/mapa/ and /mapa/puntos.json: which reports, how rounded, clusters or points, filters,
bad requests, freshness and cost."""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from conftest import local
from metepec7311.testing.plans import plan
from stats import opendata, publicmap, snapshot
from tickets import lifecycle
from tickets.models import Colonia

CITY_BOX = "-99.66,19.20,-99.50,19.30"
# Points inside the municipality; the first has more decimals than the public rule keeps.
CENTRO = (Decimal("19.254449"), Decimal("-99.604951"))  # rounds to 19.2544, -99.6050 (half up)
CERCA = (Decimal("19.254512"), Decimal("-99.604812"))  # a few metres away
LEJOS = (Decimal("19.231207"), Decimal("-99.571833"))  # far across the city


def answer(client, **params):
    params.setdefault("bbox", CITY_BOX)
    params.setdefault("zoom", "13")
    response = client.get("/mapa/puntos.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def folios(data):
    return sorted(p["folio"] for p in data["puntos"])


@pytest.fixture
def places(make_ticket, supervisor, frozen):
    """An open pothole at the centre, an open leak next to it, a light far away resolved 10
    days ago, a pothole resolved 40 days ago, one closed without action, one without a point."""

    def at(point, service="bacheo", **kw):
        lat, lon = point
        return make_ticket(service, latitude=lat, longitude=lon, reporter_name="Rosa Secreta",
                           reporter_phone="7221234567", reporter_email="rosa.secreta@example.com", **kw)  # fmt: skip

    now = local(2026, 12, 7, 10)
    tickets = {
        "open": at(CENTRO, at=now - timedelta(days=2)),
        "leak": at(CERCA, "fuga-agua", at=now - timedelta(days=1)),
        "recent": at(LEJOS, "alumbrado", at=now - timedelta(days=20)),
        "old": at(LEJOS, at=now - timedelta(days=60)),
        "closed": at(CERCA, at=now - timedelta(days=3)),
        "nowhere": make_ticket("bacheo", at=now - timedelta(days=1)),
    }
    lifecycle.ticket_resolve(
        ticket=tickets["recent"], actor=supervisor, public_note="Listo", at=now - timedelta(days=10)
    )
    lifecycle.ticket_resolve(ticket=tickets["old"], actor=supervisor, public_note="Listo", at=now - timedelta(days=40))
    lifecycle.ticket_close_no_procede(ticket=tickets["closed"], actor=supervisor, reason="Es de CFE")
    for ticket in tickets.values():
        ticket.refresh_from_db()
    return tickets


def test_the_map_shows_open_reports_and_those_resolved_in_the_last_30_days(client, places):
    data = answer(client, zoom="16", bbox="-99.61,19.22,-99.56,19.26")
    expected = sorted(places[name].folio for name in ("open", "leak", "recent"))
    assert folios(data) == expected and data["grupos"] == [] and data["reportes"] == 3
    html = client.get("/mapa/").text
    for name in ("open", "leak", "recent"):
        assert places[name].folio in html
    for name in ("old", "closed", "nowhere"):
        assert places[name].folio not in html


def test_a_resolution_ages_out_of_the_map_after_30_days_with_no_change(client, places, time_machine):
    assert places["recent"].folio in folios(answer(client, zoom="16", bbox="-99.61,19.22,-99.56,19.26"))
    # The map's clock moves by the hour: 30 days and 59 minutes after resolving, still shown...
    time_machine.move_to(local(2026, 12, 27, 10, 59), tick=False)
    assert places["recent"].folio in folios(answer(client, zoom="16", bbox="-99.61,19.22,-99.56,19.26"))
    assert places["recent"].folio in client.get("/mapa/").text
    # ...and gone from the answers and the page when the hour turns, with no change to any ticket.
    time_machine.move_to(local(2026, 12, 27, 11, 0), tick=False)
    assert places["recent"].folio not in folios(answer(client, zoom="16", bbox="-99.61,19.22,-99.56,19.26"))
    assert places["recent"].folio not in client.get("/mapa/").text


def test_points_are_rounded_exactly_as_the_open_data_and_never_name_the_reporter(client, places):
    data = answer(client, zoom="17", bbox="-99.606,19.253,-99.603,19.256")
    point = next(p for p in data["puntos"] if p["folio"] == places["open"].folio)
    assert (point["latitud"], point["longitud"]) == (19.2544, -99.605)
    rows = {row["folio"]: row for row in csv.DictReader(io.StringIO(b"".join(opendata.csv_stream()).decode()))}
    published = rows[places["open"].folio]
    assert (Decimal(published["latitud"]), Decimal(published["longitud"])) == (Decimal("19.2544"), Decimal("-99.6050"))
    assert point == {
        "folio": places["open"].folio,
        "latitud": 19.2544,
        "longitud": -99.605,
        "servicio_codigo": "bacheo",
        "servicio": places["open"].service.name,
        "estado": "nuevo",
        "estado_nombre": "Nuevo",
        "estado_publico": "en_proceso",
        "url": f"/seguimiento/{places['open'].folio}/",
    }
    for text in (json.dumps(answer(client), ensure_ascii=False), client.get("/mapa/").text):
        for trace in ("Rosa Secreta", "7221234567", "rosa.secreta", "Av. Tecnológico 100"):
            assert trace not in text


def test_low_zoom_answers_clusters_with_count_and_rounded_centroid(client, places):
    data = answer(client, zoom="12")
    # The open pothole and the leak share a cell; the light resolved 10 days ago is alone in its
    # own, and a cell of one is that report's point (linked to its page).
    assert data["grupos"] == [{"latitud": 19.2545, "longitud": -99.6049, "reportes": 2}]
    assert folios(data) == [places["recent"].folio]
    assert data["reportes"] == 3
    # Zoomed in, the same two are two points.
    near = answer(client, zoom="18", bbox="-99.6052,19.2543,-99.6047,19.2547")
    assert folios(near) == sorted([places["open"].folio, places["leak"].folio])


def test_more_points_than_the_limit_become_clusters_even_zoomed_in(client, places, monkeypatch):
    monkeypatch.setattr(publicmap, "MAX_POINTS", 1)
    data = answer(client, zoom="16", bbox="-99.61,19.22,-99.56,19.26")
    assert data["reportes"] == 3 and (data["grupos"] or len(data["puntos"]) == 3)
    assert sum(g["reportes"] for g in data["grupos"]) + len(data["puntos"]) == 3


def test_filters_by_service_status_and_colonia(client, places):
    def answer(client, **params):
        return globals()["answer"](client, bbox="-99.61,19.22,-99.56,19.26", **params)

    assert folios(answer(client, servicio="fuga-agua", zoom="16")) == [places["leak"].folio]
    assert folios(answer(client, estado="resuelto", zoom="16")) == [places["recent"].folio]
    other = Colonia.objects.exclude(name="Coaxustenco").order_by("name").first()
    assert answer(client, colonia=str(other.pk), zoom="16")["reportes"] == 0
    coaxustenco = Colonia.objects.get(name="Coaxustenco")
    assert answer(client, colonia=str(coaxustenco.pk), zoom="16")["reportes"] == 3
    html = client.get("/mapa/", {"servicio": "fuga-agua"}).text
    assert places["leak"].folio in html and places["open"].folio not in html


@pytest.mark.parametrize(
    "params, field",
    [
        ({"bbox": "", "zoom": "13"}, "bbox"),
        ({"bbox": "a,b,c,d", "zoom": "13"}, "bbox"),
        ({"bbox": "-99.5,19.2,-99.6,19.3", "zoom": "13"}, "bbox"),  # west > east
        ({"bbox": "-99.6,19.2,-99.5", "zoom": "13"}, "bbox"),
        ({"bbox": "nan,19.2,-99.5,19.3", "zoom": "13"}, "bbox"),
        ({"bbox": "-200,19.2,-99.5,19.3", "zoom": "13"}, "bbox"),
        ({"bbox": CITY_BOX, "zoom": ""}, "zoom"),
        ({"bbox": CITY_BOX, "zoom": "21"}, "zoom"),
        ({"bbox": CITY_BOX, "zoom": "-1"}, "zoom"),
        ({"bbox": CITY_BOX, "zoom": "12.5"}, "zoom"),
        ({"bbox": CITY_BOX, "zoom": "²"}, "zoom"),  # a digit to str.isdigit(), not to int()
        ({"bbox": CITY_BOX, "zoom": "20"}, "bbox"),  # the whole city in cells of a few metres
        ({"bbox": CITY_BOX, "zoom": "13", "servicio": "no-existe"}, "servicio"),
        ({"bbox": CITY_BOX, "zoom": "13", "estado": "no_procede"}, "estado"),
        ({"bbox": CITY_BOX, "zoom": "13", "colonia": "abc"}, "colonia"),
        ({"bbox": CITY_BOX, "zoom": "13", "colonia": "999999"}, "colonia"),
        ({"bbox": CITY_BOX, "zoom": "13", "colonia": "9" * 30}, "colonia"),
    ],
)
def test_a_bad_request_is_a_400_in_spanish_naming_the_field(client, db, params, field):
    response = client.get("/mapa/puntos.json", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]
    assert body["detail"] == body["errors"][field][0] and body["detail"][0].isupper()


def test_a_view_outside_the_city_is_empty_without_reading_tickets(client, places):
    with CaptureQueriesContext(connection) as queries:
        data = answer(client, bbox="-100.5,20.0,-100.4,20.1", zoom="14")
    assert data == {"zoom": 14, "reportes": 0, "grupos": [], "puntos": []}
    assert queries.captured_queries == []


def test_a_new_report_shows_at_once_and_a_repeated_view_costs_no_query(
    client, places, make_ticket, django_capture_on_commit_callbacks
):
    answer(client, zoom="15")
    with CaptureQueriesContext(connection) as queries:
        again = answer(client, zoom="15")
    assert queries.captured_queries == [] and again["reportes"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        new = make_ticket("bacheo", latitude=Decimal("19.24"), longitude=Decimal("-99.58"))
    assert new.folio in folios(answer(client, zoom="15"))
    assert new.folio in client.get("/mapa/").text


def test_the_endpoint_and_the_page_have_query_budgets(client, places, django_assert_max_num_queries):
    snapshot.recompute()  # the banner every page carries, as the worker keeps it
    answer(client, zoom="15")  # the catalogue's copy (services, colonias) read once per process
    client.get("/mapa/")
    from django.core.cache import caches

    for alias in ("answers", "pages"):
        caches[alias].clear()
    with django_assert_max_num_queries(1):  # the clusters or points, nothing else
        answer(client, zoom="12")
    with django_assert_max_num_queries(1):
        answer(client, zoom="17", bbox="-99.606,19.253,-99.603,19.256")
    with django_assert_max_num_queries(1):  # the list's one page
        client.get("/mapa/", {"servicio": "bacheo", "estado": "nuevo"})
    with django_assert_max_num_queries(0):  # kept whole until a ticket changes
        client.get("/mapa/", {"servicio": "bacheo", "estado": "nuevo"})


def test_the_list_pages_without_javascript(client, make_ticket, frozen):
    made = [
        make_ticket("bacheo", latitude=Decimal("19.25"), longitude=Decimal("-99.60") + Decimal(i) / 1000)
        for i in range(25)
    ]
    first = client.get("/mapa/").text
    second = client.get("/mapa/", {"pagina": "2"}).text
    assert 'rel="next"' in first and 'href="?pagina=2"' in first and 'rel="prev"' in second
    shown = [t.folio for t in made if t.folio in first], [t.folio for t in made if t.folio in second]
    assert len(shown[0]) == 20 and len(shown[1]) == 5 and not set(shown[0]) & set(shown[1])
    assert f'href="/seguimiento/{made[-1].folio}/"' in first  # newest first, linked to its page
    assert client.get("/mapa/", {"pagina": "51"}).status_code == 400
    assert client.get("/mapa/", {"pagina": "²"}).status_code == 400
    assert client.get("/mapa/", {"estado": "no_procede"}).status_code == 400


@pytest.fixture
def big_city(needs_postgres):
    """3,000 tickets with points, nearly all resolved long ago: the shape of the real table."""
    from django.utils import timezone

    from tickets.models import Service, Status, Ticket

    service = Service.objects.get(code="bacheo")
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            folio=f"7311-2026-{n:06d}",
            service=service,
            department_id=service.department_id,
            description="Bache",
            status=Status.NUEVO if n % 50 == 0 else Status.RESUELTO,
            created_at=now - timedelta(days=n % 900 + 1),
            resolved_at=now - timedelta(days=n % 900),
            latitude=Decimal("19.22") + Decimal(n % 70) / 1000,
            longitude=Decimal("-99.64") + Decimal(n % 130) / 1000,
        )
        for n in range(1, 3001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")


def test_the_map_reads_its_two_partial_indexes_never_the_table(big_city):
    box = Q(latitude__gte=19.24, latitude__lte=19.26, longitude__gte=-99.62, longitude__lte=-99.58)
    read = plan(publicmap.map_tickets(where=box).values("folio"))
    assert "ticket_map_open_idx" in read and "ticket_map_resolved_idx" in read, read
    assert "Seq Scan" not in read


def test_views_built_for_one_address_are_limited_kept_ones_are_not(client, places, settings):
    settings.API_READ_RATE = "2/m"
    first = answer(client, zoom="13")
    answer(client, zoom="14")
    refused = client.get("/mapa/puntos.json", {"bbox": CITY_BOX, "zoom": "12"})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["code"] == "throttled" and "espere un minuto" in refused.json()["detail"]
    assert answer(client, zoom="13") == first  # kept: costs nothing to protect


def test_another_processs_new_report_shows_within_a_second(
    client, places, make_ticket, django_capture_on_commit_callbacks
):
    from tickets import changes

    answer(client, zoom="15")
    seen = dict(changes._memo)  # what another process remembers of the tickets' version
    with django_capture_on_commit_callbacks(execute=True):
        new = make_ticket("bacheo", latitude=Decimal("19.24"), longitude=Decimal("-99.58"))
    changes._memo.update(seen)  # that process did not make the change: within its second…
    assert new.folio not in folios(answer(client, zoom="15"))
    changes._memo["until"] = 0.0  # …and once the second has passed, it asks the shared cache again
    assert new.folio in folios(answer(client, zoom="15"))
