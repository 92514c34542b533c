"""The banner, /estadisticas/ and /api/v1/stats/banner: definitions, freshness and cost."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PUBLIC_PAGES, local
from stats import numbers, rollups, snapshot
from stats.models import Snapshot
from tickets import lifecycle
from tickets.models import Service
from tickets.sla import get_calendar

TICKETS_TABLE = re.compile(r"\btickets_ticket\b")  # quoted by the ORM or not
AGGREGATE = re.compile(r"\b(COUNT|SUM|AVG|GROUP BY)\b", re.IGNORECASE)
# Pages that list reports read one page of rows from an index, and still never count them.
LISTS_TICKETS = {"/mapa/"}


@pytest.fixture
def city(make_ticket, supervisor, frozen):
    """Two potholes, two leaks (one resolved), one closed light and one imported record."""
    potholes = [make_ticket("bacheo") for _ in range(2)]
    leaks = [make_ticket("fuga-agua") for _ in range(2)]
    lifecycle.ticket_resolve(ticket=leaks[0], actor=supervisor, public_note="Listo")
    light = make_ticket("alumbrado")
    lifecycle.ticket_close_no_procede(ticket=light, actor=supervisor, reason="Es de CFE")
    make_ticket("alumbrado", channel="importado", at=local(2025, 5, 1, 10))
    snapshot.recompute()
    return {"potholes": potholes, "leaks": leaks, "light": light}


def test_the_banner_follows_the_design_definitions(client, city):
    banner = client.get("/api/v1/stats/banner").json()
    assert banner["total"] == 6
    assert banner["en_proceso"] == 4  # two potholes, one leak, and the imported record (still "nuevo")
    assert banner["resueltos"] == 1
    assert banner["cerrados_sin_atencion"] == 1
    assert banner["en_proceso"] + banner["resueltos"] + banner["cerrados_sin_atencion"] == banner["total"]


def test_banner_json_has_the_designed_shape(client, city):
    banner = client.get("/api/v1/stats/banner").json()
    assert set(banner) == {
        "total",
        "en_proceso",
        "resueltos",
        "cerrados_sin_atencion",
        "servicio_mas_demandado",
        "computed_at",
    }
    assert all(isinstance(banner[k], int) for k in ("total", "en_proceso", "resueltos", "cerrados_sin_atencion"))
    top = banner["servicio_mas_demandado"]
    assert set(top) == {"code", "name", "tickets"} and isinstance(top["tickets"], int)
    assert banner["computed_at"].startswith("2026-12-07T16:00:00")


def test_the_most_demanded_service_breaks_ties_alphabetically(client, city):
    # bacheo 2, fuga-agua 2, alumbrado 2: "Atención al mantenimiento…" < "Atención de bacheo" < "Atención inmediata…"
    top = client.get("/api/v1/stats/banner").json()["servicio_mas_demandado"]
    assert top == {"code": "alumbrado", "name": "Atención al mantenimiento de alumbrado público", "tickets": 2}


def test_the_banner_shows_on_every_public_page_without_counting_tickets(client, city):
    for url in PUBLIC_PAGES:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).text
        assert "Tickets totales" in html and "El servicio con mayor demanda es" in html, url
        assert "Cifras al 7 de diciembre de 2026, 10:00" in html, url
        counted = [
            q["sql"]
            for q in queries.captured_queries
            if TICKETS_TABLE.search(q["sql"]) and (url not in LISTS_TICKETS or AGGREGATE.search(q["sql"]))
        ]
        assert counted == [], (url, counted)


def test_the_busiest_page_is_served_whole_from_the_cache_for_a_minute(client, city):
    first = client.get("/")
    assert "max-age=60" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/")
    assert queries.captured_queries == [] and again.content == first.content


def test_a_pending_message_is_shown_to_its_visitor_only_never_cached(client, city, rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.test import Client

    response, storage = HttpResponse(), CookieStorage(rf.get("/"))
    storage.add(constants.SUCCESS, "Gracias por calificar la atención.")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "Gracias por calificar la atención." in client.get("/").text
    assert "Gracias por calificar la atención." not in Client().get("/").text


def test_numbers_change_only_when_the_job_runs(client, city, make_ticket, settings, time_machine):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a beat job refreshes them
    make_ticket("bacheo")
    assert client.get("/api/v1/stats/banner").json()["total"] == 6
    snapshot.recompute()
    assert client.get("/api/v1/stats/banner").json()["total"] == 7


def test_without_a_broker_stale_numbers_refresh_themselves(client, city, make_ticket, time_machine, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    make_ticket("bacheo")
    assert client.get("/api/v1/stats/banner").json()["total"] == 6
    time_machine.move_to(local(2026, 12, 7, 10, 6), tick=False)  # past STATS_REFRESH_SECONDS
    assert client.get("/api/v1/stats/banner").json()["total"] == 7


def test_before_the_first_computation_the_api_says_so(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()
    response = client.get("/api/v1/stats/banner")
    assert response.status_code == 503 and "preparación" in response.json()["detail"]
    assert client.get("/estadisticas/").status_code == 503
    assert "Tickets totales" not in client.get("/").text


def test_snapshots_are_stored_and_old_ones_pruned(city, time_machine):
    first = Snapshot.objects.latest()
    time_machine.move_to(local(2026, 12, 10, 10), tick=False)
    snapshot.recompute()
    assert not Snapshot.objects.filter(pk=first.pk).exists()


# --- /estadisticas/ ----------------------------------------------------------------------------


def test_the_statistics_page_has_every_breakdown_with_tables_and_downloads(client, city):
    html = client.get("/estadisticas/").text
    for heading in ("Por servicio", "Por mes", "Por localidad", "Por delegación", "Por colonia", "Por canal"):
        assert heading in html
    for table in ("servicios", "meses", "localidades", "delegaciones", "colonias", "canales"):
        response = client.get(f"/estadisticas/{table}.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert '<svg class="map"' in html and 'role="img"' in html
    csv_text = client.get("/estadisticas/servicios.csv").content.decode()
    assert csv_text.splitlines()[0].startswith("servicio_codigo,servicio,tickets")
    assert "bacheo,Atención de bacheo,2,2,0,0,,,0," in csv_text


def test_figures_on_few_tickets_say_so_and_are_not_ranked(client, city):
    stats = snapshot.latest()["estadisticas"]
    bacheo = next(row for row in stats["por_servicio"] if row["code"] == "bacheo")
    assert bacheo["pct_resueltos"] is None and bacheo["pocos_datos"]
    assert stats["destacados"]["mas_rapido"] is None
    assert "pocos datos" in client.get("/estadisticas/").text


def test_a_locality_rate_on_few_tickets_is_not_given_nor_coloured(client, make_ticket, frozen):
    for _ in range(2):
        make_ticket(latitude="19.2524", longitude="-99.6045")  # Metepec's cabecera, 2 of its residents
    snapshot.recompute()
    row = next(r for r in snapshot.latest()["estadisticas"]["por_localidad"] if r["population"])
    assert row["tickets"] == 2 and row["por_mil_habitantes"] is None
    html = client.get("/estadisticas/").text
    assert f"{row['name']}: sin datos o pocos datos" in html


def test_rankings_use_only_services_with_enough_tickets(make_ticket, supervisor, frozen):
    for code, hours in (("bacheo", 3), ("alumbrado", 30)):
        for _ in range(numbers.MIN_TICKETS):
            ticket = make_ticket(code, at=local(2026, 12, 1, 9))
            lifecycle.ticket_resolve(
                ticket=ticket,
                actor=supervisor,
                public_note="Listo",
                at=get_calendar().add(local(2026, 12, 1, 9), hours),
            )
    for _ in range(5):  # a service with few, very fast resolutions never wins
        ticket = make_ticket("topes", at=local(2026, 12, 1, 9))
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 1, 9, 30))
    rollups.fold_all()
    stats = numbers.statistics()
    assert stats["destacados"]["mas_rapido"] == {"code": "bacheo", "name": "Atención de bacheo", "mediana_horas": 3}
    assert stats["destacados"]["mas_lento"]["code"] == "alumbrado"
    assert stats["destacados"]["servicios_comparados"] == 2
    bacheo = next(row for row in stats["por_servicio"] if row["code"] == "bacheo")
    assert bacheo["pct_resueltos"] == 100.0 and bacheo["pct_en_plazo"] == 100.0
    alumbrado = next(row for row in stats["por_servicio"] if row["code"] == "alumbrado")
    assert alumbrado["pct_en_plazo"] == 100.0  # 30 h < 48 h


def test_a_date_range_and_a_service_filter_apply_to_every_table(client, make_ticket, frozen):
    make_ticket("bacheo", at=local(2026, 10, 5, 10))
    make_ticket("bacheo", at=local(2026, 11, 5, 10), channel="telefono")
    make_ticket("fuga-agua", at=local(2026, 11, 6, 10))
    snapshot.recompute()
    bacheo = Service.objects.get(code="bacheo")
    rollups.fold_all()
    stats = numbers.statistics(
        numbers.Filter(start=local(2026, 11, 1).date(), end=local(2026, 11, 1).date(), service_id=bacheo.pk)
    )
    assert stats["totales"]["tickets"] == 1
    assert [row["code"] for row in stats["por_servicio"]] == ["bacheo"]
    assert [row["month"] for row in stats["por_mes"]] == ["2026-11"]
    assert [row["code"] for row in stats["por_canal"]] == ["telefono"]
    assert sum(row["tickets"] for row in stats["por_colonia"]) == 1
    html = client.get("/estadisticas/", {"desde": "2026-11", "hasta": "2026-11", "servicio": "bacheo"}).text
    assert "desde 2026-11" in html and "«bacheo»" in html
    csv_text = client.get(
        "/estadisticas/meses.csv", {"desde": "2026-11", "hasta": "2026-11", "servicio": "bacheo"}
    ).content.decode()
    assert csv_text.splitlines()[1].startswith("2026-11,1,")


def test_a_bad_range_is_explained(client, city):
    html = client.get("/estadisticas/", {"desde": "2026-12", "hasta": "2026-01"}).text
    assert "El mes final debe ser igual o posterior al inicial." in html
    assert "Escriba el mes como AAAA-MM" in client.get("/estadisticas/", {"desde": "hola"}).text


@pytest.mark.parametrize("shape", ["all time", "one service", "range", "range and service", "from a month on"])
def test_every_filter_shape_agrees_with_a_plain_count_of_the_tickets(make_ticket, supervisor, frozen, shape):
    """Each filter reads different rollup cells (all-time, per service, per month): all of
    them must add up to what counting the tickets gives."""
    from collections import Counter

    from django.utils import timezone

    from tickets.models import Colonia, Ticket

    colonias = list(Colonia.objects.order_by("pk")[:3])
    plan = [("bacheo", 9), ("bacheo", 10), ("fuga-agua", 10), ("bacheo", 11), ("alumbrado", 11), ("fuga-agua", 11)]
    made = [
        make_ticket(code, at=local(2026, month, 3 + i, 10), colonia=colonias[i % 3], channel=("web", "telefono")[i % 2])
        for i, (code, month) in enumerate(plan)
    ]
    for index in (0, 1, 3, 5):
        lifecycle.ticket_resolve(ticket=made[index], actor=supervisor, public_note="Listo")
    lifecycle.ticket_close_no_procede(ticket=made[4], actor=supervisor, reason="Es de CFE")
    bacheo = Service.objects.get(code="bacheo")
    october, november = local(2026, 10, 1).date(), local(2026, 11, 1).date()
    flt = {
        "all time": numbers.Filter(),
        "one service": numbers.Filter(service_id=bacheo.pk),
        "range": numbers.Filter(start=october, end=november),
        "range and service": numbers.Filter(start=october, end=october, service_id=bacheo.pk),
        "from a month on": numbers.Filter(start=november),
    }[shape]

    def month(ticket):
        return timezone.localtime(ticket.created_at).date().replace(day=1)

    tickets = [
        t
        for t in Ticket.objects.select_related("service", "locality")
        if (not flt.service_id or t.service_id == flt.service_id)
        and (not flt.start or month(t) >= flt.start)
        and (not flt.end or month(t) <= flt.end)
    ]
    rollups.fold_all()
    stats = numbers.statistics(flt)

    def table(name, key):
        return {key(row): row["tickets"] for row in stats[name]}

    assert stats["totales"]["tickets"] == len(tickets)
    assert stats["totales"]["resueltos"] == sum(t.status == "resuelto" for t in tickets)
    assert table("por_servicio", lambda r: r["code"]) == Counter(t.service.code for t in tickets)
    assert table("por_canal", lambda r: r["code"]) == Counter(t.channel for t in tickets)
    assert table("por_colonia", lambda r: r["id"]) == Counter(t.colonia_id for t in tickets)
    assert table("por_mes", lambda r: r["month"]) == Counter(month(t).isoformat()[:7] for t in tickets)
    assert table("por_localidad", lambda r: r["cvegeo"]) == Counter(
        t.locality.cvegeo if t.locality else "" for t in tickets
    )
    # Medians of whole business hours to resolve, per service and overall (shown from 30 on).
    hours = {}
    for t in tickets:
        if t.status == "resuelto":
            hours.setdefault(t.service_id, []).append(min(int(t.business_hours_to_resolve), 500))
    everyone = sorted(h for values in hours.values() for h in values)
    expected = {key: (sorted(values)[(len(values) - 1) // 2], len(values)) for key, values in hours.items()}
    if everyone:
        expected[None] = (everyone[(len(everyone) - 1) // 2], len(everyone))
    assert numbers.Cells(flt).medians() == expected
