"""The public numbers, computed from the rollups (never from the tickets table).

Definitions (DESIGN.md, public numbers), all reproducible from /datos/tickets.csv:
- total = every ticket; en_proceso / resueltos / cerrados_sin_atencion are the public buckets.
- % resueltos = resueltos / total.
- % en plazo = resolved by the due date / resolved with a due date (imported history and
  services without a deadline are left out).
- median business hours to resolve = the lower median of the whole business hours
  (floor) from creation to resolution of resolved tickets.
- Rates and medians built on fewer than MIN_TICKETS tickets are not shown as numbers, and
  such rows never enter rankings ("pocos datos").
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection

from stats.models import ALL_SERVICES, Rollup
from tickets.models import Channel, Colonia, Department, Locality, Service
from tickets.models.ticket import PublicBucket

MIN_TICKETS = 30
SHARED = "'colonia', 'locality', 'mes'"  # dimensions with every-service cells (service_id 0)
DIMENSIONS = f"'channel', 'hours', 'rating', {SHARED}"
BUCKETS = [b.value for b in PublicBucket]


@dataclass(frozen=True)
class Filter:
    """All time, or a range of creation months; optionally one service."""

    start: date | None = None  # first day of the first month
    end: date | None = None  # first day of the last month
    service_id: int | None = None

    @property
    def all_time(self):
        return self.start is None and self.end is None

    def where(self):
        """SQL condition and parameters selecting this filter's rollup cells (see Rollup):
        all-time or month cells; one service's own cells, or — without a service filter —
        the per-service cells of channels, hours and ratings plus the every-service cells
        of areas and months."""
        # Naming every dimension lets PostgreSQL walk the covering (grain, dimension, period)
        # index one dimension at a time instead of scanning a whole grain.
        grain = "a" if self.all_time else "m"
        condition, params = self._narrow(f"grain = '{grain}' AND dimension IN ({DIMENSIONS})")
        if not self.service_id:
            condition += f" AND (service_id = {ALL_SERVICES}) = (dimension IN ({SHARED}))"
        return condition, params

    def trend_where(self):
        """The month channel cells of the filter, for the monthly trend."""
        return self._narrow("grain = 'm' AND dimension = 'channel'")

    def _narrow(self, condition):
        params = []
        for clause, value in (
            ("period >= %s", self.start),
            ("period <= %s", self.end),
            ("service_id = %s", self.service_id),
        ):
            if value:
                condition, params = f"{condition} AND {clause}", [*params, value]
        return condition, params


class Cells:
    """The filter's rollup cells summed per dimension × service × member × bucket.

    One query for all the tables (plus one for the monthly trend when filtered): the
    snapshot is recomputed every few minutes, and issuing and compiling a dozen ORM
    queries cost more than adding up the few thousand cells themselves.
    """

    def __init__(self, flt):
        condition, params = flt.where()
        table = Rollup._meta.db_table
        self.rows = defaultdict(list)  # dimension: [(service_id, member, bucket, tickets, measured, met)]
        every_service_all_time = flt.all_time and not flt.service_id
        if every_service_all_time:  # all-time cells are unique per key: nothing to add up
            columns, grouping = "tickets, sla_measured, sla_met", ""
        else:
            columns = "SUM(tickets), SUM(sla_measured), SUM(sla_met)"
            grouping = " GROUP BY dimension, service_id, member, bucket"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT dimension, service_id, member, bucket, {columns} FROM {table} WHERE {condition}{grouping}",
                params,
            )
            for row in cursor.fetchall():
                self.rows[row[0]].append(row[1:])
            if not every_service_all_time:  # the trend from the month cells
                condition, params = flt.trend_where()
                cursor.execute(
                    f"SELECT period, bucket, SUM(tickets), SUM(sla_measured), SUM(sla_met) FROM {table}"
                    f" WHERE {condition} GROUP BY period, bucket",
                    params,
                )
                self.rows["mes"] = [(ALL_SERVICES, str(period), *rest) for period, *rest in cursor.fetchall()]

    def medians(self):
        """{service id, and None for all: (lower median of whole hours to resolve, count)}."""
        histograms = defaultdict(lambda: defaultdict(int))
        for service_id, member, _bucket, tickets, _measured, _met in self.rows["hours"]:
            hours = int(member)
            histograms[service_id][hours] += tickets
            histograms[None][hours] += tickets
        return {key: (lower_median(histogram), sum(histogram.values())) for key, histogram in histograms.items()}

    def by(self, dimension, key):
        """{key(service_id, member): {bucket: (tickets, measured, met)}}."""
        out = defaultdict(dict)
        for service_id, member, bucket, tickets, measured, met in self.rows[dimension]:
            counts = out[key(service_id, member)]
            previous = counts.get(bucket, (0, 0, 0))
            counts[bucket] = (previous[0] + tickets, previous[1] + measured, previous[2] + met)
        return out


EN_PROCESO, RESUELTO, CERRADO = (
    PublicBucket.EN_PROCESO.value,
    PublicBucket.RESUELTO.value,
    PublicBucket.CERRADO_SIN_ATENCION.value,
)
NOTHING = (0, 0, 0)


def _figures(buckets):
    """Counts and rates of one row of a table."""
    tickets = sum(b[0] for b in buckets.values())
    resolved = buckets.get(RESUELTO, NOTHING)
    measured, met = resolved[1], resolved[2]
    return {
        "tickets": tickets,
        "en_proceso": buckets.get(EN_PROCESO, NOTHING)[0],
        "resueltos": resolved[0],
        "cerrados_sin_atencion": buckets.get(CERRADO, NOTHING)[0],
        "pct_resueltos": _pct(resolved[0], tickets),
        "sla_medidos": measured,
        "pct_en_plazo": _pct(met, measured),
        "pocos_datos": tickets < MIN_TICKETS,
    }


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole >= MIN_TICKETS else None


def lower_median(histogram):
    """Lower median of {value: count}; None when empty."""
    position, seen = (sum(histogram.values()) + 1) // 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= position:
            return value
    return None


def statistics(flt=Filter()):
    """Every table of /estadisticas/ for one filter, as plain data (JSON-ready)."""
    cells = Cells(flt)
    services = {row[0]: row[1:] for row in Service.objects.values_list("pk", "code", "name", "group")}
    by_service_rows = cells.by("channel", lambda service_id, member: service_id)

    medians = cells.medians()

    def median(key):
        value, count = medians.get(key, (None, 0))
        return (value if count >= MIN_TICKETS else None), count

    by_service = []
    for service_id, buckets in by_service_rows.items():
        code, name, group = services[service_id]
        figures = _figures(buckets)
        middle, with_hours = median(service_id)
        figures.update(code=code, name=name, group=group, mediana_horas=middle, resueltos_con_tiempo=with_hours)
        by_service.append(figures)
    by_service.sort(key=lambda row: (-row["tickets"], row["name"]))

    totals = _figures(_merge(by_service_rows.values()))
    totals["mediana_horas"] = median(None)[0]

    return {
        "filtro": {
            "desde": flt.start.isoformat()[:7] if flt.start else None,
            "hasta": flt.end.isoformat()[:7] if flt.end else None,
            "servicio": services[flt.service_id][0] if flt.service_id else None,
        },
        "totales": totals,
        "por_servicio": by_service,
        "destacados": _highlights(by_service),
        "por_canal": _by_channel(cells),
        **_by_area(cells),
        "por_localidad": _by_locality(cells),
        "por_mes": _by_month(cells),
        "servicio_mas_demandado": _most_demanded(by_service),
        **_satisfaction(cells, services),
    }


def _member(service_id, member):
    return member


def _merge(bucket_dicts):
    merged = {}
    for buckets in bucket_dicts:
        for bucket, (tickets, measured, met) in buckets.items():
            previous = merged.get(bucket, NOTHING)
            merged[bucket] = (previous[0] + tickets, previous[1] + measured, previous[2] + met)
    return merged


def _most_demanded(by_service):
    if not by_service:
        return None
    top = min(by_service, key=lambda row: (-row["tickets"], row["name"]))  # ties: alphabetical
    return {"code": top["code"], "name": top["name"], "tickets": top["tickets"]}


def _highlights(by_service):
    """Fastest and slowest services to resolve, only among those with enough tickets."""
    ranked = [row for row in by_service if row["mediana_horas"] is not None]
    if len(ranked) < 2:
        return {"mas_rapido": None, "mas_lento": None, "servicios_comparados": len(ranked)}
    ranked.sort(key=lambda row: (row["mediana_horas"], row["name"]))
    pick = lambda row: {"code": row["code"], "name": row["name"], "mediana_horas": row["mediana_horas"]}  # noqa: E731
    return {"mas_rapido": pick(ranked[0]), "mas_lento": pick(ranked[-1]), "servicios_comparados": len(ranked)}


def _by_channel(cells):
    labels = dict(Channel.choices)
    rows = [
        {"code": member, "name": labels.get(member, member), **_figures(buckets)}
        for member, buckets in cells.by("channel", _member).items()
    ]
    return sorted(rows, key=lambda row: -row["tickets"])


def _by_area(cells):
    """Colonias, and delegaciones summed from them with the staff's current links."""
    colonias = {
        str(pk): (name, postal_code, delegacion or "")
        for pk, name, postal_code, delegacion in Colonia.objects.values_list(
            "pk", "name", "postal_code", "delegacion__name"
        )
    }
    by_colonia, by_delegacion = [], defaultdict(list)
    for member, buckets in cells.by("colonia", _member).items():
        name, postal_code, delegacion = colonias.get(member, ("Sin colonia", "", ""))
        by_colonia.append(
            {
                "id": int(member),
                "name": name,
                "postal_code": postal_code,
                "delegacion": delegacion,
                **_figures(buckets),
            }
        )
        by_delegacion[delegacion].append(buckets)
    delegaciones = [
        {"name": name or "Sin delegación asignada", **_figures(_merge(parts))} for name, parts in by_delegacion.items()
    ]
    return {
        "por_colonia": sorted(by_colonia, key=lambda row: (-row["tickets"], row["name"])),
        "por_delegacion": sorted(
            delegaciones, key=lambda row: (row["name"] == "Sin delegación asignada", -row["tickets"], row["name"])
        ),
    }


def _by_locality(cells):
    localities = {
        str(pk): (cvegeo, name, population)
        for pk, cvegeo, name, population in Locality.objects.values_list("pk", "cvegeo", "name", "population")
    }
    rows = []
    for member, buckets in cells.by("locality", _member).items():
        figures = _figures(buckets)
        cvegeo, name, population = localities.get(member, ("", "Sin ubicación en el mapa", None))
        rows.append(
            {
                "cvegeo": cvegeo,
                "name": name,
                "population": population,
                # A rate on a handful of tickets would colour a small town as the worst.
                "por_mil_habitantes": (
                    round(1000 * figures["tickets"] / population, 2)
                    if population and figures["tickets"] >= MIN_TICKETS
                    else None
                ),
                **figures,
            }
        )
    return sorted(rows, key=lambda row: (row["cvegeo"] == "", -row["tickets"]))


def _by_month(cells):
    rows = [{"month": month[:7], **_figures(buckets)} for month, buckets in cells.by("mes", _member).items()]
    return sorted(rows, key=lambda row: row["month"])


def banner(stats, computed_at):
    """DESIGN.md's banner JSON from the all-time statistics."""
    totals = stats["totales"]
    return {
        "total": totals["tickets"],
        "en_proceso": totals["en_proceso"],
        "resueltos": totals["resueltos"],
        "cerrados_sin_atencion": totals["cerrados_sin_atencion"],
        "servicio_mas_demandado": stats["servicio_mas_demandado"],
        "computed_at": computed_at.isoformat(),
    }


def _satisfaction(cells, services):
    """Reporters' ratings of resolved tickets, per service and per department (surveys app).

    Counted in the rollups ("rating" cells: service × department × rating, per creation
    month of the ticket), so the same filters apply without reading any growing table.
    """
    departments = dict(Department.objects.values_list("pk", "name"))
    by_service, by_department, total = defaultdict(Counter), defaultdict(Counter), Counter()
    for service_id, member, _bucket, count, _measured, _met in cells.rows["rating"]:
        department_id, rating = (int(part) for part in member.split("-"))
        for histogram in (by_service[services[service_id][1]], by_department[departments[department_id]], total):
            histogram[rating] += count

    def figures(histogram):
        n = sum(histogram.values())
        enough = n >= MIN_TICKETS
        good = histogram[4] + histogram[5]
        return {
            "calificaciones": n,
            "promedio": round(sum(r * c for r, c in histogram.items()) / n, 2) if enough else None,
            "pct_buena": round(100 * good / n, 1) if enough else None,
        }

    def table(histograms):
        rows = [{"name": name, **figures(histogram)} for name, histogram in histograms.items()]
        return sorted((row for row in rows if row["calificaciones"]), key=lambda r: (-r["calificaciones"], r["name"]))

    return {
        "satisfaccion_total": figures(total),
        "satisfaccion_por_servicio": table(by_service),
        "satisfaccion_por_dependencia": table(by_department),
    }
