"""Every public number can be recomputed from the open data files — this test does it.

It downloads /datos/tickets.csv like any citizen would and recomputes, with nothing but the
file and the definitions published on /datos/, the banner and the statistics tables; then
compares them with what the API and the CSV downloads of /estadisticas/ say.
"""

import csv
import io
import math
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command

from stats import snapshot
from tickets import lifecycle
from tickets.models import Service, Ticket

MIN = 30  # published: rates on fewer tickets are not given


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode())))


def pct(part, whole):
    return round(100 * part / whole, 1) if whole >= MIN else None


def lower_median(values):
    values = sorted(values)
    return values[(len(values) + 1) // 2 - 1] if values else None


def figures(rows):
    buckets = Counter(row["estado_publico"] for row in rows)
    measured = [row for row in rows if row["en_plazo"]]
    hours = [
        math.floor(float(row["horas_habiles_para_resolver"]))
        for row in rows
        if row["estado_publico"] == "resuelto" and row["horas_habiles_para_resolver"] and row["canal"] != "importado"
    ]
    return {
        "tickets": len(rows),
        "en_proceso": buckets["en_proceso"],
        "resueltos": buckets["resuelto"],
        "cerrados_sin_atencion": buckets["cerrados_sin_atencion"] + buckets["cerrado_sin_atencion"],
        "pct_resueltos": pct(buckets["resuelto"], len(rows)),
        "pct_en_plazo": pct(sum(row["en_plazo"] == "si" for row in measured), len(measured)),
        "mediana_horas": lower_median([min(h, 500) for h in hours]) if len(hours) >= MIN else None,
    }


def as_number(text):
    return None if text == "" else float(text)


@pytest.fixture
def published(client, supervisor, time_machine):
    from conftest import local

    time_machine.move_to(local(2026, 11, 20, 12), tick=False)
    call_command("seed_demo", tickets=700, days=200, no_practice=True, verbosity=0)
    # Some changes through the lifecycle after the bulk load, as the staff would make.
    for ticket in Ticket.objects.open()[:15]:
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo")
    # Imported history resolved long after the fact: counted, but not in SLA or time figures.
    imported = [
        lifecycle.ticket_create(
            service=service,
            channel="importado",
            description="Historial",
            reporter_phone="7221234567",
            at=local(2026, 3, 2, 9) + timedelta(days=i),
        )
        for i, service in enumerate(Service.objects.order_by("pk")[:MIN])
    ]
    for ticket in imported:
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Atendido en 2026")
    resolved = list(Ticket.objects.filter(status="resuelto").exclude(channel="importado").order_by("-resolved_at")[:5])
    for ticket in resolved:
        lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason="Sigue igual")
    snapshot.recompute()
    return download(client, "/datos/tickets.csv")


def test_the_banner_is_reproducible_from_the_open_data(client, published):
    banner = client.get("/api/v1/stats/banner").json()
    mine = figures(published)
    assert banner["total"] == mine["tickets"] == Ticket.objects.count() > 700
    assert banner["en_proceso"] == mine["en_proceso"]
    assert banner["resueltos"] == mine["resueltos"]
    assert banner["cerrados_sin_atencion"] == mine["cerrados_sin_atencion"]
    per_service = Counter(row["servicio_codigo"] for row in published)
    names = {row["servicio_codigo"]: row["servicio"] for row in published}
    top = min(per_service, key=lambda code: (-per_service[code], names[code]))
    assert banner["servicio_mas_demandado"] == {"code": top, "name": names[top], "tickets": per_service[top]}


def compare(client, table, key_column, group_of, rows, fields):
    """Group the open data like the statistics table and compare the published figures."""
    groups = defaultdict(list)
    for row in rows:
        groups[group_of(row)].append(row)
    page = {line[key_column]: line for line in download(client, f"/estadisticas/{table}.csv")}
    assert set(page) == set(groups), table
    for key, members in groups.items():
        mine = figures(members)
        for field, column in fields:
            assert as_number(page[key][column]) == mine[field], (table, key, field)


def test_the_statistics_tables_are_reproducible_from_the_open_data(client, published):
    common = [("tickets", "tickets"), ("resueltos", "resueltos"), ("pct_resueltos", "pct_resueltos")]
    compare(
        client,
        "servicios",
        "servicio_codigo",
        lambda r: r["servicio_codigo"],
        published,
        common
        + [
            ("en_proceso", "en_proceso"),
            ("cerrados_sin_atencion", "cerrados_sin_atencion"),
            ("pct_en_plazo", "pct_en_plazo"),
            ("mediana_horas", "mediana_horas_habiles_para_resolver"),
        ],
    )
    compare(client, "meses", "mes", lambda r: r["creado"][:7], published, common + [("pct_en_plazo", "pct_en_plazo")])
    compare(
        client, "canales", "canal_codigo", lambda r: r["canal"], published, common + [("pct_en_plazo", "pct_en_plazo")]
    )
    compare(
        client,
        "delegaciones",
        "delegacion",
        lambda r: r["delegacion"] or "Sin delegación asignada",
        published,
        common + [("en_proceso", "en_proceso")],
    )
    compare(client, "localidades", "localidad_cvegeo", lambda r: r["localidad_cvegeo"], published, common)
    colonias = download(client, "/estadisticas/colonias.csv")
    assert sum(int(row["tickets"]) for row in colonias) == len(published)


def test_totals_and_median_are_reproducible_too(client, published):
    totals = snapshot.latest()["estadisticas"]["totales"]
    mine = figures(published)
    for field in (
        "tickets",
        "en_proceso",
        "resueltos",
        "cerrados_sin_atencion",
        "pct_resueltos",
        "pct_en_plazo",
        "mediana_horas",
    ):
        assert totals[field] == mine[field], field


def test_the_daily_aggregates_agree_with_the_ticket_file(client, published):
    daily = download(client, "/datos/agregados-diarios.csv")
    per_day_service = Counter()
    for row in daily:
        per_day_service[(row["dia"], row["servicio_codigo"], row["canal"], row["estado_publico"])] += int(
            row["tickets"]
        )
    mine = Counter((r["creado"][:10], r["servicio_codigo"], r["canal"], r["estado_publico"]) for r in published)
    assert per_day_service == mine


def test_the_satisfaction_tables_are_reproducible_from_the_ratings_file(client, published):
    ratings = download(client, "/datos/calificaciones-mensuales.csv")
    assert ratings and set(ratings[0]) == {
        "mes",
        "servicio_codigo",
        "servicio",
        "dependencia",
        "calificacion",
        "calificaciones",
    }
    groups = {"servicio": defaultdict(Counter), "dependencia": defaultdict(Counter), "total": defaultdict(Counter)}
    for row in ratings:
        for column, table in groups.items():
            table[row.get(column, "total")][int(row["calificacion"])] += int(row["calificaciones"])

    def mine(histogram):
        n = sum(histogram.values())
        return {
            "calificaciones": n,
            "promedio": round(sum(r * c for r, c in histogram.items()) / n, 2) if n >= MIN else None,
            "pct_buena": round(100 * (histogram[4] + histogram[5]) / n, 1) if n >= MIN else None,
        }

    stats = snapshot.latest()["estadisticas"]
    assert stats["satisfaccion_total"] == mine(groups["total"]["total"])
    assert stats["satisfaccion_total"]["calificaciones"] > MIN  # the demo rates a share of resolved tickets
    for name, key in (("satisfaccion_por_servicio", "servicio"), ("satisfaccion_por_dependencia", "dependencia")):
        published_rows = {row["name"]: {k: v for k, v in row.items() if k != "name"} for row in stats[name]}
        assert published_rows == {group: mine(histogram) for group, histogram in groups[key].items()}
