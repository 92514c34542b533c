"""/datos/: every ticket without personal data, as CSV, JSON and GeoJSON, plus daily aggregates."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import local
from stats import opendata, rollups
from tickets import lifecycle


@pytest.fixture
def tickets(make_ticket, supervisor, frozen):
    located = make_ticket(
        "bacheo",
        reporter_name="Rosa Vecina",
        reporter_phone="7225551234",
        reporter_email="rosa@example.com",
        latitude=Decimal("19.252449"),
        longitude=Decimal("-99.604551"),
        description='Bache "grande", con coma',
    )
    lifecycle.ticket_add_note(ticket=located, actor=supervisor, text="Nota interna secreta")
    lifecycle.ticket_resolve(ticket=located, actor=supervisor, public_note="Listo", at=local(2026, 12, 8, 11, 30))
    plain = make_ticket("fuga-agua", reporter_name="Juan Pérez", reporter_phone="7220000000")
    twin = make_ticket("fuga-agua")
    lifecycle.ticket_mark_duplicate(ticket=twin, parent=plain, actor=supervisor)
    rollups.fold_all()  # the daily aggregates come from the rollups, as the fold job leaves them
    return {"located": located, "plain": plain, "twin": twin}


def read_csv(client, url="/datos/tickets.csv"):
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_describes_every_dataset_and_column(client, db):
    html = client.get("/datos/").text
    for name, _ in opendata.TICKET_COLUMNS + opendata.DAILY_COLUMNS + opendata.RATING_COLUMNS:
        assert f"<code>{name}</code>" in html
    for url in (
        "/datos/tickets.csv",
        "/datos/tickets.json",
        "/datos/tickets.geojson",
        "/datos/agregados-diarios.csv",
        "/datos/calificaciones-mensuales.csv",
    ):
        assert url in html


def test_the_csv_has_every_ticket_and_the_documented_columns(client, tickets):
    rows = read_csv(client)
    assert list(rows[0]) == opendata.HEADER
    by_folio = {row["folio"]: row for row in rows}
    located = by_folio[tickets["located"].folio]
    assert located["servicio_codigo"] == "bacheo" and located["estado"] == "resuelto"
    assert located["estado_publico"] == "resuelto" and located["canal"] == "web"
    assert located["creado"] == "2026-12-07T10:00:00-06:00"
    assert located["vence"] == "2026-12-14T13:00:00-06:00"
    assert located["resuelto"] == "2026-12-08T11:30:00-06:00"
    assert located["colonia"] == "Coaxustenco" and located["delegacion"] == "Barrio de Coaxustenco"
    assert located["codigo_postal"] == "52140"
    assert (located["latitud"], located["longitud"]) == ("19.2524", "-99.6046")  # rounded to ~10 m
    assert located["localidad_cvegeo"] == "150540001" and located["localidad"] == "Metepec"
    assert located["horas_habiles_para_resolver"] == "10.50" and located["en_plazo"] == "si"
    twin = by_folio[tickets["twin"].folio]
    assert twin["estado_publico"] == "cerrado_sin_atencion" and twin["folio_principal"] == tickets["plain"].folio
    assert by_folio[tickets["plain"].folio]["en_plazo"] == ""


@pytest.mark.parametrize("url", ["/datos/tickets.csv", "/datos/tickets.json", "/datos/tickets.geojson"])
def test_no_personal_data_or_internal_notes_are_ever_exported(client, tickets, url):
    body = b"".join(client.get(url).streaming_content).decode()
    for secret in (
        "Rosa",
        "7225551234",
        "rosa@example.com",
        "Juan",
        "7220000000",
        "Nota interna",
        tickets["located"].reporter_token,
        "descripcion",
        'Bache "grande"',
    ):
        assert secret not in body


def test_json_and_geojson_carry_the_same_rows(client, tickets):
    rows = read_csv(client)
    data = json.loads(b"".join(client.get("/datos/tickets.json").streaming_content))
    assert data == [dict(row) for row in rows]
    geo = json.loads(b"".join(client.get("/datos/tickets.geojson").streaming_content))
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 1
    feature = geo["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-99.6046, 19.2524]}
    assert feature["properties"]["folio"] == tickets["located"].folio


def test_daily_aggregates_add_up_to_the_tickets(client, tickets):
    rows = read_csv(client, "/datos/agregados-diarios.csv")
    assert sum(int(row["tickets"]) for row in rows) == 3
    resolved = [row for row in rows if row["estado_publico"] == "resuelto"]
    assert resolved == [
        {
            "dia": "2026-12-07",
            "servicio_codigo": "bacheo",
            "servicio": "Atención de bacheo",
            "canal": "web",
            "estado_publico": "resuelto",
            "tickets": "1",
            "resueltos_con_plazo": "1",
            "resueltos_en_plazo": "1",
        }
    ]


def test_the_export_streams_in_pieces_instead_of_building_the_file(client, db, frozen):
    call_command("seed_demo", tickets=2500, no_practice=True, verbosity=0)
    chunks = list(client.get("/datos/tickets.csv").streaming_content)
    assert len(chunks) >= 3
    assert sum(chunk.count(b"\n") for chunk in chunks) == 2501


def test_copy_and_the_python_writer_produce_identical_csv(tickets, needs_postgres):
    """On PostgreSQL the CSV comes from COPY; it must match the portable writer byte for byte."""
    assert connection.vendor == "postgresql"
    copied = b"".join(opendata._copy_stream()).decode()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(opendata.HEADER)
    writer.writerows(opendata.ticket_rows())
    assert copied == buffer.getvalue()
