"""Open data: every ticket without personal data, streamed with constant memory.

The CSV goes through PostgreSQL's COPY when the database is PostgreSQL (the fastest way
out of the database); elsewhere, and for JSON and GeoJSON, rows are read with a
server-side cursor and written as they come. Both paths produce the same columns and the
same text — a test compares them.

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
        if count % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _copy_stream():
    yield (",".join(HEADER) + "\n").encode()
    sql, params = copy_statement()
    with connection.cursor() as cursor:
        # to_char() writes times in the session's zone, with its offset (-06:00).
        cursor.execute("SET TIME ZONE %s", [settings.TIME_ZONE])
        try:
            with cursor.cursor.copy(sql, params) as copy:
                for chunk in copy:
                    yield bytes(chunk)
        finally:
            cursor.execute("SET TIME ZONE 'UTC'")  # as Django left the connection


def json_stream():
    """A JSON array of objects, one per ticket, written as rows arrive."""
    yield b"["
    first = True
    for row in ticket_rows():
        item = dict(zip(HEADER, row, strict=True))
        yield (("" if first else ",") + "\n" + json.dumps(item, ensure_ascii=False)).encode()
        first = False
    yield b"\n]\n"


def geojson_stream():
    """A GeoJSON FeatureCollection of the tickets with a point."""
    yield b'{"type": "FeatureCollection", "features": ['
    first = True
    lat_i, lon_i = HEADER.index("latitud"), HEADER.index("longitud")
    for row in ticket_rows():
        if not row[lat_i]:
            continue
        properties = {k: v for k, v in zip(HEADER, row, strict=True) if k not in ("latitud", "longitud")}
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row[lon_i]), float(row[lat_i])]},
            "properties": properties,
        }
        yield (("" if first else ",") + "\n" + json.dumps(feature, ensure_ascii=False)).encode()
        first = False
    yield b"\n]}\n"


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
