"""The visits of a period, read from the daily rows, and the geometry of their charts (drawn
as SVG by the templates: no JavaScript, and every number also in a table)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.db.models import Sum
from django.utils import timezone

from visits.models import DailyVisits, Dimension

DEFAULT_DAYS = 7  # like the city's own report (a week)
MAX_DAYS = 366
TOP = 10  # rows of each breakdown; the rest add up as "Otros"
TOP_PAGES = 20

BREAKDOWNS = [
    (Dimension.COUNTRY, "País", "paises"),
    (Dimension.CITY, "Ciudad", "ciudades"),
    (Dimension.BROWSER, "Navegador", "navegadores"),
    (Dimension.OS, "Sistema operativo", "sistemas"),
    (Dimension.DEVICE, "Tipo de dispositivo", "dispositivos"),
    (Dimension.REFERRER, "Sitio de origen", "origen"),
]


class PeriodForm(forms.Form):
    desde = forms.DateField(
        label="Desde", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    hasta = forms.DateField(
        label="Hasta", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def period(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = min(data.get("hasta") or today, today)
        start = data.get("desde") or end - timedelta(days=DEFAULT_DAYS - 1)
        start = max(min(start, end), end - timedelta(days=MAX_DAYS - 1))
        return start, end


@dataclass
class Period:
    start: date
    end: date

    @property
    def days(self):
        return (self.end - self.start).days + 1


def period_from(params):
    """The form (showing the period it chose) and the period."""
    chosen = {key: params[key] for key in ("desde", "hasta") if params.get(key)}
    form = PeriodForm(chosen or None)
    start, end = form.period()
    if not chosen:
        form.initial = {"desde": start, "hasta": end}
    return form, Period(start, end)


def _rows(period, dimension):
    return (
        DailyVisits.objects.filter(day__range=(period.start, period.end), dimension=dimension)
        .values("value")
        .annotate(visitors=Sum("visitors"), pageviews=Sum("pageviews"))
    )


def breakdown(period, dimension, top=TOP, order="visitors"):
    """[{"value", "visitors", "pageviews"}], largest first, the rest folded into "Otros"."""
    second = "pageviews" if order == "visitors" else "visitors"
    rows = sorted(_rows(period, dimension), key=lambda r: (-r[order], -r[second], r["value"]))
    if len(rows) > top:
        rest = rows[top - 1 :]
        rows = rows[: top - 1] + [
            {
                "value": f"Otros ({len(rest)})",
                "visitors": sum(r["visitors"] for r in rest),
                "pageviews": sum(r["pageviews"] for r in rest),
                "other": True,
            }
        ]
    return rows


def daily(period):
    found = {
        row["day"]: row
        for row in DailyVisits.objects.filter(day__range=(period.start, period.end), dimension=Dimension.TOTAL).values(
            "day", "visitors", "pageviews"
        )
    }
    out = []
    for i in range(period.days):
        day = period.start + timedelta(days=i)
        row = found.get(day, {})
        out.append({"day": day, "visitors": row.get("visitors", 0), "pageviews": row.get("pageviews", 0)})
    return out


def bars(rows, field="visitors", width=400, row_height=26, label_width=185):
    """Bar positions in a viewBox `width` wide; each bar carries its number as text."""
    top = max((r[field] for r in rows), default=0) or 1
    room = width - label_width - 50
    out = []
    for i, row in enumerate(rows):
        out.append(
            {
                "label": row["value"],
                "value": row[field],
                "y": i * row_height,
                "text_y": i * row_height + row_height * 0.65,
                "x": label_width,
                "w": round(room * row[field] / top, 1),
                "h": row_height - 8,
                "value_x": label_width + round(room * row[field] / top, 1) + 6,
            }
        )
    return {"bars": out, "width": width, "height": max(len(rows), 1) * row_height, "label_x": label_width - 8}


def line(days, width=400, height=200, left=40, bottom=26, top=12):
    """Two lines (visitors, page views) over the days, with the axis' top value."""
    peak = max((max(d["visitors"], d["pageviews"]) for d in days), default=0) or 1
    plot_w, plot_h = width - left - 18, height - bottom - top
    step = plot_w / max(len(days) - 1, 1)

    def point(i, value):
        return round(left + i * step, 1), round(top + plot_h - plot_h * value / peak, 1)

    series = []
    for field, name in (("visitors", "Visitantes"), ("pageviews", "Vistas de página")):
        points = [point(i, d[field]) for i, d in enumerate(days)]
        series.append(
            {
                "field": field,
                "name": name,
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": [
                    {"x": x, "y": y, "value": d[field], "day": d["day"]} for (x, y), d in zip(points, days, strict=True)
                ],
            }
        )
    labels = []
    every = max(1, len(days) // 7)
    for i, d in enumerate(days):
        if i % every == 0 or i == len(days) - 1:
            labels.append({"x": point(i, 0)[0], "text": d["day"].strftime("%d/%m")})
    return {
        "series": series,
        "labels": labels,
        "width": width,
        "height": height,
        "peak": peak,
        "left": left,
        "base": top + plot_h,
        "top": top,
        "right": width - 18,
        "label_y": height - 8,
    }


def report(period):
    days = daily(period)
    tables = []
    for dimension, title, slug in BREAKDOWNS:
        rows = breakdown(period, dimension)
        tables.append({"dimension": dimension, "title": title, "slug": slug, "rows": rows, "chart": bars(rows)})
    return {
        "period": period,
        "visitors": sum(d["visitors"] for d in days),
        "pageviews": sum(d["pageviews"] for d in days),
        "days": days,
        "line": line(days),
        "tables": tables,
        "pages": breakdown(period, Dimension.PAGE, top=TOP_PAGES, order="pageviews"),
    }
