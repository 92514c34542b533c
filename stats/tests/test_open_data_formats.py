"""/datos/ JSON and GeoJSON: on PostgreSQL written by the database and streamed through COPY,
byte for byte what the Python writers (SQLite's path) produce; either way in batches."""

import json
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import local
from stats import opendata
from tickets import lifecycle
from tickets.models import Colonia, Delegacion, Department, Locality, PublicBucket, Service, Ticket

# Free text in every exported column that carries any (the catalogue's names, the territory's
# names): what JSON must escape, what COPY would quote or double, and what it must leave be.
ODD = (  # 135 characters: names are at most 150, prefixes included
    "Comillas \"dobles\" y 'simples', barra \\ y \\u00e9 \\n escritos, salto\nlínea, retorno\r, "
    "tab\t, \x01\x02\x1f\x7f\b\f, 100% {}[]:,; \u2028 \u2029 😀🇲🇽 Ñandú ÁÉÍÓÚü \ufeff\uffff\U0010ffff"
)


@pytest.fixture
def odd_tickets(make_ticket, supervisor, frozen):
    delegacion = Delegacion.objects.create(key="rara", name="Delegación " + ODD)
    colonia = Colonia.objects.create(name="Colonia " + ODD, postal_code="52149", delegacion=delegacion)
    located = make_ticket(
        "bacheo",
        colonia=colonia,
        reporter_name="Rosa Vecina",
        reporter_phone="7225551234",
        reporter_email="rosa@example.com",
        latitude=Decimal("19.252449"),
        longitude=Decimal("-99.604551"),
        description="Descripción " + ODD,
    )
    lifecycle.ticket_resolve(ticket=located, actor=supervisor, public_note="Listo", at=local(2026, 12, 8, 11, 30))
    no_point = make_ticket("fuga-agua", reporter_name="Juan Pérez")
    twin = make_ticket("fuga-agua")
    lifecycle.ticket_mark_duplicate(ticket=twin, parent=no_point, actor=supervisor)
    # Points the rounding and the float text must agree on: halves (away from zero, as
    # PostgreSQL's round()), trailing zeros, whole numbers (19.0, not 19), tiny values.
    points = [
        (Decimal("19.250000"), Decimal("-99.600000")),
        (Decimal("19.250050"), Decimal("-99.600050")),
        (Decimal("19.000000"), Decimal("-99.000000")),
        (Decimal("0.000050"), Decimal("-0.000100")),
        (Decimal("0.000010"), Decimal("100.000000")),
    ]
    placed = []
    for latitude, longitude in points:
        ticket = make_ticket("bacheo", latitude=Decimal("19.252449"), longitude=Decimal("-99.604551"))
        # Written past the municipal check: the export must not depend on where it is.
        Ticket.objects.filter(pk=ticket.pk).update(latitude=latitude, longitude=longitude)
        placed.append(ticket)
    # Names changed last and with update(): no cache or signal keeps them past the test.
    Service.objects.filter(code="bacheo").update(name="Servicio " + ODD)
    Department.objects.filter(pk=located.department_id).update(name="Dependencia " + ODD)
    Locality.objects.filter(pk=located.locality_id).update(name="Localidad " + ODD)
    return {"located": located, "no_point": no_point, "twin": twin, "placed": placed}


def joined(stream):
    return b"".join(stream)


def legacy_json(rows):
    """The writer before batching, one row per yield: the bytes must not have changed."""
    out = b"["
    for i, row in enumerate(rows):
        out += (
            ("," if i else "") + "\n" + json.dumps(dict(zip(opendata.HEADER, row, strict=True)), ensure_ascii=False)
        ).encode()
    return out + b"\n]\n"


def legacy_geojson(rows):
    out = b'{"type": "FeatureCollection", "features": ['
    lat_i, lon_i = opendata.HEADER.index("latitud"), opendata.HEADER.index("longitud")
    first = True
    for row in rows:
        if not row[lat_i]:
            continue
        properties = {k: v for k, v in zip(opendata.HEADER, row, strict=True) if k not in ("latitud", "longitud")}
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[lon_i]), float(row[lat_i])]},
            "properties": properties,
        }
        out += (("" if first else ",") + "\n" + json.dumps(feature, ensure_ascii=False)).encode()
        first = False
    return out + b"\n]}\n"


def test_the_python_writers_batch_rows_and_keep_their_bytes(odd_tickets, monkeypatch):
    monkeypatch.setattr(opendata, "BATCH_ROWS", 2)  # several batches out of eight tickets
    rows = list(opendata.ticket_rows())
    chunks = list(opendata.python_json_stream())
    assert joined(chunks) == legacy_json(rows)
    assert len(chunks) == 2 + 4  # opening, four batches of two, closing
    assert joined(opendata.python_geojson_stream()) == legacy_geojson(rows)


def test_odd_text_survives_json_and_geojson(client, odd_tickets):
    data = json.loads(joined(client.get("/datos/tickets.json").streaming_content))
    assert len(data) == Ticket.objects.count() == 8
    assert all(isinstance(value, str) for item in data for value in item.values())
    located = next(item for item in data if item["folio"] == odd_tickets["located"].folio)
    assert located["servicio"] == "Servicio " + ODD and located["dependencia"] == "Dependencia " + ODD
    assert located["colonia"] == "Colonia " + ODD and located["delegacion"] == "Delegación " + ODD
    assert located["localidad"] == "Localidad " + ODD
    assert located["resuelto"] == "2026-12-08T11:30:00-06:00" and located["cerrado"] == "2026-12-08T11:30:00-06:00"
    assert located["vence"] == "2026-12-14T13:00:00-06:00" and located["en_plazo"] == "si"
    no_point = next(item for item in data if item["folio"] == odd_tickets["no_point"].folio)
    assert (no_point["latitud"], no_point["longitud"], no_point["resuelto"]) == ("", "", "")

    features = json.loads(joined(client.get("/datos/tickets.geojson").streaming_content))["features"]
    by_folio = {feature["properties"]["folio"]: feature for feature in features}
    assert odd_tickets["no_point"].folio not in by_folio and odd_tickets["twin"].folio not in by_folio
    assert by_folio[odd_tickets["located"].folio]["properties"]["colonia"] == "Colonia " + ODD
    assert [by_folio[t.folio]["geometry"]["coordinates"] for t in odd_tickets["placed"]] == [
        [-99.6, 19.25],
        [-99.6001, 19.2501],
        [-99.0, 19.0],
        [-0.0001, 0.0001],
        [100.0, 0.0],
    ]
    body = joined(client.get("/datos/tickets.geojson").streaming_content).decode()
    assert "[-99.0, 19.0]" in body and "[100.0, 0.0]" in body and "[-99.6001, 19.2501]" in body
    assert "Rosa" not in body and "Descripción" not in body


def test_copy_json_is_byte_identical_to_the_python_writer(odd_tickets, needs_postgres):
    copied = joined(opendata._copy_json_stream())
    assert copied == joined(opendata.python_json_stream())
    assert copied.startswith(b"[\n{") and copied.endswith(b"}\n]\n")
    assert "\u2028".encode() in copied and b"\x7f" in copied and "😀".encode() in copied  # as themselves
    assert b"\\u0001" in copied and b'\\"dobles\\"' in copied and b"salto\\nl" in copied  # escaped
    assert len(json.loads(copied)) == 8


def test_copy_geojson_is_byte_identical_to_the_python_writer(odd_tickets, needs_postgres):
    copied = joined(opendata._copy_geojson_stream())
    assert copied == joined(opendata.python_geojson_stream())
    collection = json.loads(copied)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 6


def test_copy_keeps_its_bytes_whatever_the_batch_size(odd_tickets, needs_postgres, monkeypatch):
    whole = [joined(opendata._copy_stream()), joined(opendata._copy_json_stream())]
    monkeypatch.setattr(opendata, "BATCH_BYTES", 1)  # one row per chunk
    chunks = list(opendata._copy_json_stream())
    assert len(chunks) == 2 + 8
    assert [joined(opendata._copy_stream()), joined(chunks)] == whole


@pytest.mark.parametrize("split_every", [1, 2, 3, 7, 50, 10_000])
def test_json_lines_are_framed_wherever_the_chunks_split(split_every):
    lines = [b'{"a": "1"}', b'{"a": "\\n"}', b'{"a": "3"}']
    data = b"".join(line + b"\n" for line in lines)
    chunks = [data[i : i + split_every] for i in range(0, len(data), split_every)]
    framed = joined(opendata._json_framed(iter(chunks), b"[", b"]\n"))
    assert framed == b"[\n" + b",\n".join(lines) + b"\n]\n"
    assert joined(opendata._json_framed(iter([]), b"[", b"]\n")) == b"[\n]\n"


def test_an_empty_export_is_still_a_valid_file(client, db):
    assert not Ticket.objects.exists()
    assert joined(client.get("/datos/tickets.json").streaming_content) == b"[\n]\n"
    geojson = joined(client.get("/datos/tickets.geojson").streaming_content)
    assert geojson == b'{"type": "FeatureCollection", "features": [\n]}\n'
    assert json.loads(geojson)["features"] == []


def test_every_format_streams_in_batches_not_rows(client, db, frozen):
    """3,000 tickets: a chunk per ~64 KB (COPY) or per 1,000 rows (Python), never one per row."""
    call_command("seed_demo", tickets=3000, no_practice=True, verbosity=0)
    total = Ticket.objects.count()
    with_point = Ticket.objects.filter(latitude__isnull=False, longitude__isnull=False).count()
    assert total == 3000 and with_point > 1000
    for url, rows in (
        ("/datos/tickets.csv", lambda body: body.count(b"\n") - 1),
        ("/datos/tickets.json", lambda body: len(json.loads(body))),
        ("/datos/tickets.geojson", lambda body: len(json.loads(body)["features"])),
    ):
        chunks = list(client.get(url).streaming_content)
        assert rows(b"".join(chunks)) == (with_point if "geo" in url else total)
        assert 3 <= len(chunks) <= total // 20, url
    if connection.vendor == "postgresql":  # realistic data: COPY and Python agree on it too
        assert joined(opendata._copy_json_stream()) == joined(opendata.python_json_stream())
        assert joined(opendata._copy_geojson_stream()) == joined(opendata.python_geojson_stream())


def test_the_columns_written_without_to_json_never_need_escaping():
    """Times, numbers and the status rules' constants: what PLAIN_JSON_COLUMNS may hold."""
    by_lookup = dict(opendata.SOURCES)
    numbers = {"latitude", "longitude", "business_hours_to_resolve"}
    for name in opendata.PLAIN_JSON_COLUMNS:
        assert by_lookup[name] is None or by_lookup[name] in opendata.TIMESTAMPS | numbers, name
    for constant in [*PublicBucket.values, "si", "no"]:
        assert json.dumps(constant) == f'"{constant}"'


def test_postgres_escapes_json_strings_as_python_does(needs_postgres):
    """What the COPY path relies on: to_json(text) is json.dumps(text, ensure_ascii=False)."""
    points = [*range(1, 0x3000), 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFF, 0x1F600, 0x10FFFF]
    with connection.cursor() as cursor:
        cursor.execute("SELECT i, to_json(chr(i))::text FROM unnest(%s::int[]) i", [points])
        written = dict(cursor.fetchall())
    assert written == {i: json.dumps(chr(i), ensure_ascii=False) for i in points}


@pytest.mark.parametrize("extra_float_digits", [0, 1, 3])
def test_postgres_writes_coordinates_as_python_repr_does(needs_postgres, extra_float_digits):
    """float8's text of a 4-place coordinate (plus ".0" for whole numbers) is repr(float(text))."""
    rng = random.Random(7311)
    values = [Decimal(rng.randint(-9_999_999, 9_999_999)).scaleb(-4) for _ in range(20_000)]
    values += [Decimal(n).scaleb(-4) for n in (0, 1, -1, 10, 10_000, -990_000, 9_999_999, -9_999_999)]
    expression = opendata._sql_concat(opendata._json_float_pieces("latitud"))
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL extra_float_digits = {extra_float_digits}")
        cursor.execute(
            f'SELECT e."x_latitud"::text, {expression} FROM (SELECT round(v, 4) AS "x_latitud" '
            "FROM unnest(%s::numeric(9, 6)[]) v) e",
            [values],
        )
        written = cursor.fetchall()
    assert all(number == repr(float(text)) for text, number in written)
