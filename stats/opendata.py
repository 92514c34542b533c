"""Open data: every ticket without personal data, streamed with constant memory.

On PostgreSQL the files come out of COPY … TO STDOUT (the fastest way out of the
database): the CSV as COPY writes it, and JSON and GeoJSON as one line of JSON text per
ticket that PostgreSQL itself writes. Elsewhere (SQLite) rows are read with a server-side
cursor and written by Python. Both paths produce the same bytes — tests compare them.
Either way the stream is yielded in batches (about BATCH_BYTES, or BATCH_ROWS rows), not a
chunk per row.

Never exported: reporter name, phone, e-mail, the private link token, internal notes.
"""

import csv
import io
import json
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Round
from django.utils import timezone

from stats.models import Rollup
from stats.rollups import _as_date
from tickets import geo
from tickets.models import Department, Service, Ticket
from tickets.models.status import on_time_expression, public_bucket_expression

# (column, description) — the /datos/ page lists them.
TICKET_COLUMNS = [
    ("folio", "Folio del reporte, 7311-AAAA-NNNNNN."),
    ("servicio_codigo", "Código del servicio en el catálogo (por ejemplo bacheo)."),
    ("servicio", "Nombre del servicio."),
    ("dependencia", "Dependencia que lo atiende."),
    ("estado", "nuevo, asignado, en_proceso, en_espera, resuelto, no_procede o duplicado."),
    ("estado_publico", "en_proceso, resuelto o cerrado_sin_atencion: como suman las cifras del banner."),
    ("canal", "web, telefono, app, api o importado."),
    ("creado", "Fecha y hora de creación (hora de Metepec, con su diferencia con UTC)."),
    ("vence", "Fecha compromiso de atención (48 horas hábiles salvo otro plazo); vacío si no aplica."),
    ("resuelto", "Fecha y hora en que se resolvió."),
    ("cerrado", "Fecha y hora de cierre (resuelto, no procede o duplicado)."),
    ("colonia", "Colonia (catálogo SEPOMEX)."),
    ("delegacion", "Delegación a la que el personal vinculó la colonia; vacío si no está vinculada."),
    ("codigo_postal", "Código postal de la colonia."),
    ("localidad_cvegeo", "Clave INEGI de la localidad donde cae el punto reportado."),
    ("localidad", "Nombre de la localidad INEGI."),
    ("latitud", "Latitud redondeada a 4 decimales (unos 10 m)."),
    ("longitud", "Longitud redondeada a 4 decimales (unos 10 m)."),
    ("horas_habiles_para_resolver", "Horas hábiles desde la creación hasta la resolución."),
    ("en_plazo", "si / no para tickets resueltos con plazo; vacío si no aplica (historial importado)."),
    ("folio_principal", "Para duplicados, el folio del reporte principal."),
]
HEADER = [name for name, _ in TICKET_COLUMNS]

DAILY_COLUMNS = [
    ("dia", "Día de creación de los tickets (hora de Metepec)."),
    ("servicio_codigo", "Código del servicio."),
    ("servicio", "Nombre del servicio."),
    ("canal", "Canal de entrada."),
    ("estado_publico", "en_proceso, resuelto o cerrado_sin_atencion (estado actual)."),
    ("tickets", "Número de tickets."),
    ("resueltos_con_plazo", "De ellos, resueltos con fecha compromiso."),
    ("resueltos_en_plazo", "De ellos, resueltos a más tardar en su fecha compromiso."),
]

RATING_COLUMNS = [
    ("mes", "Mes de creación de los tickets calificados (AAAA-MM)."),
    ("servicio_codigo", "Código del servicio."),
    ("servicio", "Nombre del servicio."),
    ("dependencia", "Dependencia que atendió el ticket."),
    ("calificacion", "Calificación de quien reportó, de 1 (mala) a 5 (excelente)."),
    ("calificaciones", "Número de calificaciones."),
]

# COPY's output is yielded in batches of about this many bytes; the Python writers encode
# BATCH_ROWS rows per yield. (Module constants, so a test can lower them.)
BATCH_BYTES = 64 * 1024
BATCH_ROWS = 1000

TS = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'  # ISO 8601 in the session's zone, with its offset
# (column, lookup) in HEADER order; the bucket and on-time columns are the rules of
# tickets/models/status.py, the same expressions the rollups count with.
SOURCES = [
    ("folio", "folio"),
    ("servicio_codigo", "service__code"),
    ("servicio", "service__name"),
    ("dependencia", "department__name"),
    ("estado", "status"),
    ("estado_publico", None),
    ("canal", "channel"),
    ("creado", "created_at"),
    ("vence", "due_at"),
    ("resuelto", "resolved_at"),
    ("cerrado", "closed_at"),
    ("colonia", "colonia__name"),
    ("delegacion", "colonia__delegacion__name"),
    ("codigo_postal", "colonia__postal_code"),
    ("localidad_cvegeo", "locality__cvegeo"),
    ("localidad", "locality__name"),
    ("latitud", "latitude"),
    ("longitud", "longitude"),
    ("horas_habiles_para_resolver", "business_hours_to_resolve"),
    ("en_plazo", None),
    ("folio_principal", "parent__folio"),
]
assert [name for name, _ in SOURCES] == HEADER
TIMESTAMPS = {"created_at", "due_at", "resolved_at", "closed_at"}


class ToChar(Func):
    """PostgreSQL's to_char(): the database writes the text, for COPY."""

    function = "to_char"
    output_field = CharField()


def export_queryset(*, text_in_database=False):
    """Every ticket's exported columns, in HEADER order, as one ORM query.

    With `text_in_database` (PostgreSQL's COPY) the database formats times and rounds the
    point itself; otherwise ticket_rows() does the same in Python.
    """
    columns = {
        "x_estado_publico": public_bucket_expression(),
        "x_en_plazo": on_time_expression(),
    }
    for name, lookup in SOURCES:
        if lookup is None:
            continue
        if text_in_database and lookup in TIMESTAMPS:
            expression = ToChar(F(lookup), Value(TS))
        elif text_in_database and lookup in ("latitude", "longitude"):
            expression = Round(F(lookup), geo.PUBLIC_PLACES)
        else:
            expression = F(lookup)
        columns[f"x_{name}"] = expression
    # Annotations come out in the order values_list() names them.
    return Ticket.objects.order_by("id").annotate(**columns).values_list(*(f"x_{name}" for name in HEADER))


def copy_statement():
    """PostgreSQL's COPY of export_queryset(): (sql, params); times need SET TIME ZONE."""
    sql, params = export_queryset(text_in_database=True).query.sql_with_params()
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params


# JSON and GeoJSON on PostgreSQL: each ticket's line of JSON text, written by the database
# in the exact form json.dumps(..., ensure_ascii=False) gives it (", " and ": " separators,
# keys in HEADER order, every property a string, "" for NULL). to_json() of a text escapes
# as Python does: \" \\ \b \f \n \r \t, other control characters as \u00XX (lowercase),
# everything else (DEL, U+2028, accents, emoji) as itself. The line never holds a raw
# newline or control character, so COPY's CSV format with control characters as quote and
# delimiter writes it untouched: no quoting, no doubling of backslashes.
JSON_COPY_OPTIONS = "FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02'"
# Columns whose text the database writes itself from times, numbers or the constants of the
# status rules (export_queryset()): nothing in them needs escaping, so they are quoted
# without to_json() (about a third less time spent writing the JSON).
PLAIN_JSON_COLUMNS = {
    "estado_publico",
    "creado",
    "vence",
    "resuelto",
    "cerrado",
    "latitud",
    "longitud",
    "horas_habiles_para_resolver",
    "en_plazo",
}
GEOJSON_POINT = ("longitud", "latitud")  # [x, y]
GEOJSON_PROPERTIES = [name for name in HEADER if name not in GEOJSON_POINT]


class _Sql(str):
    """An SQL expression among the literal text given to _sql_concat()."""


def _sql_concat(pieces):
    """SQL concat() of `pieces`: plain strings are literal text (neighbours merged), _Sql
    pieces are expressions (concat() writes NULL as nothing)."""
    merged = []
    for piece in pieces:
        if merged and not isinstance(piece, _Sql) and not isinstance(merged[-1], _Sql):
            merged[-1] += piece
        else:
            merged.append(piece)
    return "concat(" + ", ".join(p if isinstance(p, _Sql) else _sql_literal(p) for p in merged) + ")"


def _sql_literal(text):
    # The statement goes through psycopg's client-side parameter formatting: % is doubled.
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _json_object_pieces(names, opening="{"):
    """The pieces of a JSON object of the export columns `names`, each value a string."""
    pieces = []
    for i, name in enumerate(names):
        pieces.append((opening if i == 0 else ", ") + json.dumps(name) + ": ")
        column = f'e."x_{name}"'
        if name in PLAIN_JSON_COLUMNS:
            pieces += ['"', _Sql(column), '"']
        else:
            pieces.append(_Sql(f"to_json(coalesce({column}::text, ''))::text"))
    return [*pieces, "}"]


def _json_float_pieces(name):
    """The JSON number Python writes for float(text) of the coordinate column `name`.

    The column is numeric rounded to 4 places; float8's text output (shortest round trip
    with extra_float_digits ≥ 1, %.15g with 0: the same digits for such values) is Python's
    repr() except that Python writes a whole number as 19.0 where PostgreSQL writes 19.
    """
    column = f'e."x_{name}"'
    return [_Sql(f"{column}::float8"), _Sql(f"CASE WHEN {column} = trunc({column}) THEN '.0' END")]


def json_copy_statement():
    """COPY of one JSON object per ticket (a line of text each): (sql, params).

    export_queryset()'s own SQL is the subquery, so the columns and their rules stay in one
    place; PostgreSQL keeps a sorted subquery's order (it does not flatten one with ORDER BY).
    """
    sql, params = export_queryset(text_in_database=True).query.sql_with_params()
    line = _sql_concat(_json_object_pieces(HEADER))
    return f"COPY (SELECT {line} FROM ({sql}) e) TO STDOUT WITH ({JSON_COPY_OPTIONS})", params


def geojson_copy_statement():
    """COPY of one GeoJSON Feature per ticket with a point (a line of text each): (sql, params)."""
    with_point = export_queryset(text_in_database=True).filter(latitude__isnull=False, longitude__isnull=False)
    sql, params = with_point.query.sql_with_params()
    lon, lat = GEOJSON_POINT
    line = _sql_concat(
        [
            '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [',
            *_json_float_pieces(lon),
            ", ",
            *_json_float_pieces(lat),
            "]}, ",
            *_json_object_pieces(GEOJSON_PROPERTIES, opening='"properties": {'),
            "}",
        ]
    )
    return f"COPY (SELECT {line} FROM ({sql}) e) TO STDOUT WITH ({JSON_COPY_OPTIONS})", params


def ticket_rows():
    """The export's rows as tuples of text, in HEADER order (server-side cursor)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    lat_i, lon_i = HEADER.index("latitud"), HEADER.index("longitud")
    for row in export_queryset().iterator(chunk_size=2000):
        row = list(row)
        for i in (lat_i, lon_i):
            row[i] = geo.public_coordinate(row[i])
        yield tuple(_text(value, tz) for value in row)


def _text(value, tz):
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        return value.astimezone(tz).isoformat(timespec="seconds")
    return str(value)


def _copy_batches(sql, params):
    """The output of a COPY … TO STDOUT as bytes, in batches of about BATCH_BYTES."""
    with connection.cursor() as cursor:
        # to_char() writes times in the session's zone, with its offset (-06:00).
        cursor.execute("SET TIME ZONE %s", [settings.TIME_ZONE])
        try:
            with cursor.cursor.copy(sql, params) as copy:
                batch = bytearray()
                for chunk in copy:  # libpq hands over one row at a time
                    batch += chunk
                    if len(batch) >= BATCH_BYTES:
                        yield bytes(batch)
                        batch.clear()
                if batch:
                    yield bytes(batch)
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")  # as Django left the connection


def _json_framed(lines, opening, closing):
    """COPY's lines of JSON text (in chunks split anywhere) as the items of an array, framed
    as _python_batches() frames them: `opening`, a newline before the first item and a comma
    and newline before each other, then a newline and `closing`."""
    yield opening
    before = b"\n"  # what goes before the next byte: a line's start, or b"" inside one
    for chunk in lines:
        if chunk.endswith(b"\n"):
            yield before + chunk[:-1].replace(b"\n", b",\n")
            before = b",\n"
        elif chunk:
            yield before + chunk.replace(b"\n", b",\n")
            before = b""
    yield b"\n" + closing


def _python_batches(items, opening, closing):
    """The Python writers' framing of already encoded items, BATCH_ROWS per yield."""
    yield opening
    before = "\n"
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_ROWS:
            yield (before + ",\n".join(batch)).encode()
            before = ",\n"
            batch.clear()
    if batch:
        yield (before + ",\n".join(batch)).encode()
    yield b"\n" + closing


def csv_stream():
    """The tickets CSV as an iterator of bytes chunks."""
    if connection.vendor == "postgresql":
        yield from _copy_stream()
        return
    buffer = io.StringIO()
    buffered = csv.writer(buffer, lineterminator="\n")  # the same line ends as COPY's
    buffered.writerow(HEADER)
    for count, row in enumerate(ticket_rows(), start=1):
        buffered.writerow(row)
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _copy_stream():
    yield (",".join(HEADER) + "\n").encode()
    yield from _copy_batches(*copy_statement())


JSON_OPENING, JSON_CLOSING = b"[", b"]\n"
GEOJSON_OPENING, GEOJSON_CLOSING = b'{"type": "FeatureCollection", "features": [', b"]}\n"


def json_stream():
    """A JSON array of objects, one per ticket, written as rows arrive."""
    if connection.vendor == "postgresql":
        yield from _copy_json_stream()
    else:
        yield from python_json_stream()


def _copy_json_stream():
    return _json_framed(_copy_batches(*json_copy_statement()), JSON_OPENING, JSON_CLOSING)


def python_json_stream():
    """json_stream() written by Python (SQLite; the reference the COPY path is tested against)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(…, ensure_ascii=False)
    items = (encode(dict(zip(HEADER, row, strict=True))) for row in ticket_rows())
    return _python_batches(items, JSON_OPENING, JSON_CLOSING)


def geojson_stream():
    """A GeoJSON FeatureCollection of the tickets with a point."""
    if connection.vendor == "postgresql":
        yield from _copy_geojson_stream()
    else:
        yield from python_geojson_stream()


def _copy_geojson_stream():
    return _json_framed(_copy_batches(*geojson_copy_statement()), GEOJSON_OPENING, GEOJSON_CLOSING)


def python_geojson_stream():
    """geojson_stream() written by Python (SQLite; the reference the COPY path is tested against)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lat_i, lon_i = HEADER.index("latitud"), HEADER.index("longitud")
    property_indexes = [HEADER.index(name) for name in GEOJSON_PROPERTIES]

    def features():
        for row in ticket_rows():
            if not (row[lat_i] and row[lon_i]):
                continue
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(row[lon_i]), float(row[lat_i])]},
                "properties": {HEADER[i]: row[i] for i in property_indexes},
            }
            yield encode(feature)

    return _python_batches(features(), GEOJSON_OPENING, GEOJSON_CLOSING)


def _services():
    """{service id: (code, name)}: the rollups store ids, the files give both."""
    return {pk: (code, name) for pk, code, name in Service.objects.values_list("pk", "code", "name")}


def daily_rows():
    services = _services()
    rows = (
        Rollup.objects.filter(grain="d", dimension="channel")
        .exclude(tickets=0)
        .order_by("period", "service_id", "member", "bucket")
        .values_list("period", "service_id", "member", "bucket", "tickets", "sla_measured", "sla_met")
    )
    for period, service_id, *rest in rows.iterator(chunk_size=5000):
        code, name = services[service_id]
        yield (_as_date(period).isoformat(), code, name, *(str(value) for value in rest))


def daily_csv_stream():
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in DAILY_COLUMNS])
    for count, row in enumerate(daily_rows(), start=1):
        writer.writerow(row)
        if count % 2000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def rating_rows():
    """Satisfaction ratings per month × service × department × rating (no ticket, no comment)."""
    services = _services()
    departments = dict(Department.objects.values_list("pk", "name"))
    rows = []
    for period, service_id, member, count in (
        Rollup.objects.filter(grain="m", dimension="rating", tickets__gt=0)
        .values_list("period", "service_id", "member", "tickets")
        .iterator(chunk_size=5000)
    ):
        department_id, rating = member.split("-")
        code, name = services[service_id]
        rows.append((_as_date(period).isoformat()[:7], code, name, departments[int(department_id)], rating, str(count)))
    return sorted(rows)


def ratings_csv_stream():
    """Small (months × services × 5), so written at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _ in RATING_COLUMNS])
    writer.writerows(rating_rows())
    yield buffer.getvalue().encode()


def now_stamp():
    return timezone.localtime().strftime("%Y%m%d")
