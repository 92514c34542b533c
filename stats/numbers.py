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

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Sum

from stats.models import ALL_TIME, Rollup
from tickets.models import Channel, Colonia, Locality, Service
from tickets.models.ticket import PublicBucket

MIN_TICKETS = 30
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

    def rollups(self, dimension):
        rows = Rollup.objects.filter(dimension=dimension)
        per_service_all_time = dimension in ("channel", "hours")
        if self.all_time and (per_service_all_time or not self.service_id):
            rows = rows.filter(grain="a", period=ALL_TIME)
        else:
            rows = rows.filter(grain="m")
            if self.start:
                rows = rows.filter(period__gte=self.start)
            if self.end:
                rows = rows.filter(period__lte=self.end)
        if self.service_id:
            rows = rows.filter(service_id=self.service_id)
        return rows

    def months(self):
        rows = Rollup.objects.filter(grain="m", dimension="channel")
        if self.start:
            rows = rows.filter(period__gte=self.start)
        if self.end:
            rows = rows.filter(period__lte=self.end)
        if self.service_id:
            rows = rows.filter(service_id=self.service_id)
        return rows


def _sum(rows, *group):
    """{group values: {bucket: (tickets, measured, met)}} summed by the database."""
    out = defaultdict(dict)
    width = len(group)
    summed = rows.values(*group, "bucket").annotate(t=Sum("tickets"), m=Sum("sla_measured"), k=Sum("sla_met"))
    # Plain tuples straight from the cursor: the ORM's per-value converters cost more than
    # the query itself on the thousands of rows the snapshot adds up.
    sql, params = summed.order_by().values_list(*group, "bucket", "t", "m", "k").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            out[row[:width]][row[width]] = (row[width + 1] or 0, row[width + 2] or 0, row[width + 3] or 0)
    return out


def _figures(buckets):
    """Counts and rates of one row of a table."""
    tickets = sum(b[0] for b in buckets.values())
    resolved = buckets.get(PublicBucket.RESUELTO.value, (0, 0, 0))
    measured, met = resolved[1], resolved[2]
    return {
        "tickets": tickets,
        "en_proceso": buckets.get(PublicBucket.EN_PROCESO.value, (0,))[0],
        "resueltos": resolved[0],
        "cerrados_sin_atencion": buckets.get(PublicBucket.CERRADO_SIN_ATENCION.value, (0,))[0],
        "pct_resueltos": _pct(resolved[0], tickets),
        "sla_medidos": measured,
        "pct_en_plazo": _pct(met, measured),
        "pocos_datos": tickets < MIN_TICKETS,
    }


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole >= MIN_TICKETS else None


def lower_median(histogram):
    """Lower median of {value: count}; None when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    position, seen = (total + 1) // 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= position:
            return value
    return None


def statistics(flt=Filter()):
    """Every table of /estadisticas/ for one filter, as plain data (JSON-ready)."""
    services = {s.pk: s for s in Service.objects.all()}
    by_service_rows = _sum(flt.rollups("channel"), "service_id")
    hours = defaultdict(dict)
    histogram_rows = flt.rollups("hours").values("service_id", "member").annotate(n=Sum("tickets")).order_by()
    for service_id, member, count in histogram_rows.values_list("service_id", "member", "n"):
        hours[service_id][int(member)] = count

    by_service = []
    for (service_id,), buckets in by_service_rows.items():
        service = services[service_id]
        figures = _figures(buckets)
        histogram = hours.get(service_id, {})
        resolved_with_hours = sum(histogram.values())
        figures.update(
            code=service.code,
            name=service.name,
            group=service.group,
            mediana_horas=lower_median(histogram) if resolved_with_hours >= MIN_TICKETS else None,
            resueltos_con_tiempo=resolved_with_hours,
        )
        by_service.append(figures)
    by_service.sort(key=lambda row: (-row["tickets"], row["name"]))

    totals = _figures(_merge(by_service_rows.values()))
    all_hours = defaultdict(int)
    for histogram in hours.values():
        for value, count in histogram.items():
            all_hours[value] += count
    totals["mediana_horas"] = lower_median(all_hours) if sum(all_hours.values()) >= MIN_TICKETS else None

    return {
        "filtro": {
            "desde": flt.start.isoformat()[:7] if flt.start else None,
            "hasta": flt.end.isoformat()[:7] if flt.end else None,
            "servicio": services[flt.service_id].code if flt.service_id else None,
        },
        "totales": totals,
        "por_servicio": by_service,
        "destacados": _highlights(by_service),
        "por_canal": _by_channel(flt),
        **_by_area(flt),
        "por_localidad": _by_locality(flt),
        "por_mes": _by_month(flt),
        "servicio_mas_demandado": _most_demanded(by_service),
        **_satisfaction(flt),
    }


def _merge(bucket_dicts):
    merged = defaultdict(lambda: (0, 0, 0))
    for buckets in bucket_dicts:
        for bucket, counts in buckets.items():
            merged[bucket] = tuple(a + b for a, b in zip(merged[bucket], counts, strict=True))
    return dict(merged)


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


def _by_channel(flt):
    labels = dict(Channel.choices)
    rows = [
        {"code": member, "name": labels.get(member, member), **_figures(buckets)}
        for (member,), buckets in _sum(flt.rollups("channel"), "member").items()
    ]
    return sorted(rows, key=lambda row: -row["tickets"])


def _by_area(flt):
    """Colonias, and delegaciones summed from them with the staff's current links."""
    colonias = {str(c.pk): c for c in Colonia.objects.select_related("delegacion")}
    by_colonia, by_delegacion = [], defaultdict(list)
    for (member,), buckets in _sum(flt.rollups("colonia"), "member").items():
        colonia = colonias.get(member)
        delegacion = colonia.delegacion.name if colonia and colonia.delegacion else ""
        by_colonia.append(
            {
                "id": int(member),
                "name": colonia.name if colonia else "Sin colonia",
                "postal_code": colonia.postal_code if colonia else "",
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


def _by_locality(flt):
    localities = {str(loc.pk): loc for loc in Locality.objects.defer("geometry")}
    rows = []
    for (member,), buckets in _sum(flt.rollups("locality"), "member").items():
        figures = _figures(buckets)
        locality = localities.get(member)
        population = locality.population if locality else None
        rows.append(
            {
                "cvegeo": locality.cvegeo if locality else "",
                "name": locality.name if locality else "Sin ubicación en el mapa",
                "population": population,
                "por_mil_habitantes": round(1000 * figures["tickets"] / population, 2) if population else None,
                **figures,
            }
        )
    return sorted(rows, key=lambda row: (row["cvegeo"] == "", -row["tickets"]))


def _by_month(flt):
    # All time for every service: the few hundred "mes" cells instead of the month grain.
    all_services = flt.all_time and not flt.service_id
    months = _sum(flt.rollups("mes"), "member") if all_services else _sum(flt.months(), "period")
    rows = [{"month": str(period)[:7], **_figures(buckets)} for (period,), buckets in months.items()]
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


def _satisfaction(flt):
    """Reporters' ratings of resolved tickets, per service and per department (surveys app).

    The ratings carry their ticket's service, department and creation month, so the same
    filters apply without reading the tickets table.
    """
    from django.db.models import Avg, Count, Q

    from surveys.models import TicketSatisfaction

    ratings = TicketSatisfaction.objects.all()
    if flt.start:
        ratings = ratings.filter(ticket_month__gte=flt.start)
    if flt.end:
        ratings = ratings.filter(ticket_month__lte=flt.end)
    if flt.service_id:
        ratings = ratings.filter(service_id=flt.service_id)
    measures = {"n": Count("id"), "avg": Avg("rating"), "good": Count("id", filter=Q(rating__gte=4))}

    def rows(*group):
        out = []
        for row in ratings.values(*group).annotate(**measures).order_by():
            enough = row["n"] >= MIN_TICKETS
            out.append(
                {
                    "name": row[group[-1]],
                    "calificaciones": row["n"],
                    "promedio": round(row["avg"], 2) if enough else None,
                    "pct_buena": round(100 * row["good"] / row["n"], 1) if enough else None,
                }
            )
        return sorted(out, key=lambda r: (-r["calificaciones"], r["name"]))

    total = ratings.aggregate(**measures)
    return {
        "satisfaccion_total": {
            "calificaciones": total["n"],
            "promedio": round(total["avg"], 2) if total["n"] >= MIN_TICKETS else None,
            "pct_buena": round(100 * total["good"] / total["n"], 1) if total["n"] >= MIN_TICKETS else None,
        },
        "satisfaccion_por_servicio": rows("service__code", "service__name"),
        "satisfaccion_por_dependencia": rows("department__name"),
    }
