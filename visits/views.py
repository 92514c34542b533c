import csv
import io

from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from visits import buffer, report
from visits.models import DailyVisits

CACHE_SECONDS = 60  # the aggregates change once a minute

OPEN_DATA_COLUMNS = [
    ("dia", "Día (hora de Metepec)."),
    (
        "dimension",
        "total, page (página), browser (navegador), os (sistema operativo), device (móvil, tableta "
        "o escritorio), country (país), city (ciudad) o referrer (dominio del sitio de origen).",
    ),  # fmt: skip
    ("valor", "La página, el navegador, el país…; vacío en total; «desconocido» si no se pudo saber."),
    ("vistas", "Vistas de página ese día."),
    ("visitantes", "Visitantes únicos ese día (sin cookies: no se pueden seguir de un día a otro)."),
]


def _fresh():
    """Without a worker (the embedded default) this process writes its own counts first."""
    store = buffer.current()
    if isinstance(store, buffer.MemoryBuffer):
        store.flush()


def visits_page(request):
    _fresh()
    form, period = report.period_from(request.GET)
    key = f"visits:report:{period.start}:{period.end}"
    data = cache.get(key)
    if data is None:
        data = report.report(period)
        cache.set(key, data, CACHE_SECONDS)
    return render(request, "visits/visits.html", {"form": form, "r": data, "query": request.GET.urlencode()})


def period_csv(period):
    """The period's report as one CSV table: each breakdown's rows and each day."""
    data = report.report(period)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["seccion", "valor", "visitantes", "vistas"])
    writer.writerow(["total", f"{period.start}…{period.end}", data["visitors"], data["pageviews"]])
    for day in data["days"]:
        writer.writerow(["dia", day["day"].isoformat(), day["visitors"], day["pageviews"]])
    for table in data["tables"]:
        for row in table["rows"]:
            writer.writerow([table["slug"], row["value"], row["visitors"], row["pageviews"]])
    for row in data["pages"]:
        writer.writerow(["paginas", row["value"], row["visitors"], row["pageviews"]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visitas-{period.start}-{period.end}.csv"'
    return response


def _daily_rows():
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in OPEN_DATA_COLUMNS])
    yield out.getvalue()
    rows = DailyVisits.objects.order_by("day", "dimension", "value").values_list(
        "day", "dimension", "value", "pageviews", "visitors"
    )
    batch = []
    for row in rows.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) == 2000:
            yield _lines(batch)
            batch = []
    if batch:
        yield _lines(batch)


def _lines(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for day, dimension, value, pageviews, visitors in rows:
        writer.writerow([day.isoformat(), dimension, value, pageviews, visitors])
    return out.getvalue()


def daily_csv(request):
    """Open data: every daily aggregate (nothing finer exists)."""
    _fresh()
    response = StreamingHttpResponse(_daily_rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visitas-diarias-7311.csv"'
    response["Cache-Control"] = "public, max-age=300"
    return response
