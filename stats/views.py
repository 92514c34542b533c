"""/estadisticas/ and /datos/: public numbers read from the snapshot (or, for a filter,
from the rollups), never by counting tickets during the request."""

import csv
import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from metepec7311 import pagecache
from stats import mapsvg, numbers, opendata, snapshot
from stats.forms import StatisticsFilterForm
from tickets.models import Service
from visits import views as visit_views

logger = logging.getLogger(__name__)

# table slug → (title, key in the statistics dict, columns as (field, header))
TABLES = {
    "servicios": (
        "Por servicio",
        "por_servicio",
        [
            ("code", "servicio_codigo"),
            ("name", "servicio"),
            ("tickets", "tickets"),
            ("en_proceso", "en_proceso"),
            ("resueltos", "resueltos"),
            ("cerrados_sin_atencion", "cerrados_sin_atencion"),
            ("pct_resueltos", "pct_resueltos"),
            ("mediana_horas", "mediana_horas_habiles_para_resolver"),
            ("sla_medidos", "resueltos_con_plazo"),
            ("pct_en_plazo", "pct_en_plazo"),
        ],
    ),
    "delegaciones": (
        "Por delegación",
        "por_delegacion",
        [
            ("name", "delegacion"),
            ("tickets", "tickets"),
            ("en_proceso", "en_proceso"),
            ("resueltos", "resueltos"),
            ("cerrados_sin_atencion", "cerrados_sin_atencion"),
            ("pct_resueltos", "pct_resueltos"),
        ],
    ),
    "colonias": (
        "Por colonia",
        "por_colonia",
        [
            ("name", "colonia"),
            ("postal_code", "codigo_postal"),
            ("delegacion", "delegacion"),
            ("tickets", "tickets"),
            ("en_proceso", "en_proceso"),
            ("resueltos", "resueltos"),
            ("cerrados_sin_atencion", "cerrados_sin_atencion"),
            ("pct_resueltos", "pct_resueltos"),
        ],
    ),
    "localidades": (
        "Por localidad INEGI",
        "por_localidad",
        [
            ("cvegeo", "localidad_cvegeo"),
            ("name", "localidad"),
            ("population", "poblacion_2020"),
            ("tickets", "tickets"),
            ("por_mil_habitantes", "tickets_por_mil_habitantes"),
            ("resueltos", "resueltos"),
            ("pct_resueltos", "pct_resueltos"),
        ],
    ),
    "meses": (
        "Por mes de creación",
        "por_mes",
        [
            ("month", "mes"),
            ("tickets", "tickets"),
            ("en_proceso", "en_proceso"),
            ("resueltos", "resueltos"),
            ("cerrados_sin_atencion", "cerrados_sin_atencion"),
            ("pct_resueltos", "pct_resueltos"),
            ("pct_en_plazo", "pct_en_plazo"),
        ],
    ),
    "satisfaccion-servicios": (
        "Satisfacción por servicio",
        "satisfaccion_por_servicio",
        [
            ("name", "servicio"),
            ("calificaciones", "calificaciones"),
            ("promedio", "promedio_1_a_5"),
            ("pct_buena", "pct_4_o_5"),
        ],
    ),
    "satisfaccion-dependencias": (
        "Satisfacción por dependencia",
        "satisfaccion_por_dependencia",
        [
            ("name", "dependencia"),
            ("calificaciones", "calificaciones"),
            ("promedio", "promedio_1_a_5"),
            ("pct_buena", "pct_4_o_5"),
        ],
    ),
    "canales": (
        "Por canal",
        "por_canal",
        [
            ("code", "canal_codigo"),
            ("name", "canal"),
            ("tickets", "tickets"),
            ("resueltos", "resueltos"),
            ("pct_resueltos", "pct_resueltos"),
            ("pct_en_plazo", "pct_en_plazo"),
        ],
    ),
}


def filter_from(request):
    form = StatisticsFilterForm(request.GET or None)
    flt = numbers.Filter()
    if form.is_bound and form.is_valid():
        code = form.cleaned_data.get("servicio")
        service_id = Service.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
        flt = numbers.Filter(start=form.cleaned_data["desde"], end=form.cleaned_data["hasta"], service_id=service_id)
    return form, flt


def statistics_for(flt):
    """All-time: the snapshot. Filtered: computed from the rollups, cached per snapshot."""
    data = snapshot.latest()
    if data is None:
        return None, None
    if flt == numbers.Filter():
        return data["estadisticas"], data["computed_at"]
    key = f"stats:filtered:{data['computed_at']}:{flt.start}:{flt.end}:{flt.service_id}"
    stats = cache.get(key)
    if stats is None:
        stats = numbers.statistics(flt)
        cache.set(key, stats, settings.STATS_REFRESH_SECONDS)
    return stats, data["computed_at"]


def _bars(rows, field="tickets"):
    """Each row's share of the largest value, for the bar drawn next to its figures."""
    top = max((row.get(field) or 0 for row in rows), default=0)
    for row in rows:
        row["bar"] = round(100 * (row.get(field) or 0) / top, 1) if top else 0
    return rows


def _trend(months, width=600, height=160):
    """Column positions for the monthly chart (SVG attributes, no inline styles)."""
    if not months:
        return None
    top = max(row["tickets"] for row in months) or 1
    step = width / len(months)
    columns = []
    for i, row in enumerate(months):
        h = round((height - 20) * row["tickets"] / top, 1)
        columns.append(
            {
                "x": round(i * step + step * 0.1, 1),
                "w": round(step * 0.8, 1),
                "y": round(height - 20 - h, 1),
                "h": h,
                "label": row["month"],
                "tickets": row["tickets"],
                "show_label": len(months) <= 12 or i % max(1, len(months) // 12) == 0,
            }
        )
    return {"columns": columns, "width": width, "height": height, "base": height - 20}


def statistics_page(request):
    """The same for everyone between two snapshots: kept whole per snapshot and query string
    (in each process's memory, which culls the least used when full)."""
    return pagecache.serve(request, _snapshot_key(request, "stats"), lambda: _statistics_page(request))


def _snapshot_key(request, name):
    found = pagecache.versions()
    return f"page:{name}:{found[0]}:{request.GET.urlencode()}" if found else None


def _statistics_page(request):
    form, flt = filter_from(request)
    stats, computed_at = statistics_for(flt)
    context = {
        "form": form,
        "stats": stats,
        "computed_at": computed_at,
        "min_tickets": numbers.MIN_TICKETS,
        "query": request.GET.urlencode(),
    }
    if stats:
        for key in ("por_servicio", "por_delegacion", "por_canal", "por_mes"):
            _bars(stats[key])
        _bars(stats["por_colonia"])
        context["top_colonias"] = stats["por_colonia"][:25]
        context["map"] = mapsvg.choropleth(stats["por_localidad"])
        context["trend"] = _trend(stats["por_mes"])
        context["satisfaction_tables"] = [
            ("satisfaccion_por_servicio", "satisfaccion-servicios", "Por servicio", "Servicio"),
            ("satisfaccion_por_dependencia", "satisfaccion-dependencias", "Por dependencia", "Dependencia"),
        ]
    return render(request, "stats/statistics.html", context, status=200 if stats else 503)


def table_csv(request, table):
    if table not in TABLES:
        raise Http404
    title, key, columns = TABLES[table]
    _, flt = filter_from(request)
    stats, _ = statistics_for(flt)
    if stats is None:
        return HttpResponse("Cifras en preparación.", status=503, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header for _, header in columns])
    for row in stats[key]:
        writer.writerow(["" if row.get(field) is None else row[field] for field, _ in columns])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="estadisticas-{slugify(title)}.csv"'
    return response


def open_data_page(request):
    return pagecache.serve(request, _snapshot_key(request, "datos"), lambda: _open_data_page(request))


def _open_data_page(request):
    return render(
        request,
        "stats/open_data.html",
        {
            "ticket_columns": opendata.TICKET_COLUMNS,
            "daily_columns": opendata.DAILY_COLUMNS,
            "rating_columns": opendata.RATING_COLUMNS,
            "visit_columns": visit_views.OPEN_DATA_COLUMNS,
        },
    )


def _download(stream, content_type, filename):
    # The first bytes go out before the first query; so that an unreachable database is a 503
    # (metepec7311/unavailable.py), not a 200 with a header and nothing after it, the
    # database is asked first. A failure after that aborts the transfer (never a file that
    # looks complete).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    response = StreamingHttpResponse(_aborting(stream, filename), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


def _aborting(stream, filename):
    try:
        yield from stream
    except Exception:
        # Re-raised: the server then cuts the connection without the chunked encoding's last
        # chunk, so the client sees an incomplete transfer.
        logger.exception("download of %s aborted", filename)
        raise


def tickets_csv(request):
    return _download(opendata.csv_stream(), "text/csv; charset=utf-8", f"tickets-7311-{opendata.now_stamp()}.csv")


def tickets_json(request):
    return _download(opendata.json_stream(), "application/json", f"tickets-7311-{opendata.now_stamp()}.json")


def tickets_geojson(request):
    return _download(opendata.geojson_stream(), "application/geo+json", f"tickets-7311-{opendata.now_stamp()}.geojson")


def daily_csv(request):
    return _download(opendata.daily_csv_stream(), "text/csv; charset=utf-8", "agregados-diarios-7311.csv")


def ratings_csv(request):
    return _download(opendata.ratings_csv_stream(), "text/csv; charset=utf-8", "calificaciones-mensuales-7311.csv")
