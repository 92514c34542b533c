"""The supervisor's dashboard in the admin (/admin/tickets/ticket/tablero/): the figures of
tickets/dashboard.py for a chosen period, each linked to its tickets, and as CSV."""

import csv
from datetime import date

from django import forms
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from tickets import dashboard

DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    desde = forms.DateField(label="Desde", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(label="Hasta", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("desde"), data.get("hasta")
        if start and end and start > end:
            raise forms.ValidationError("«Desde» es posterior a «Hasta».")
        if start and end and (end - start).days > 366:
            raise forms.ValidationError("Elija un periodo de un año o menos.")
        return data

    def period(self):
        default = dashboard.Period.last_days(DEFAULT_DAYS)
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("desde") or default.start
        end = self.cleaned_data.get("hasta") or max(default.end, start)
        return dashboard.Period(start, min(end, date.max))


def dashboard_view(model_admin, request):
    form = PeriodForm(request.GET or None)
    period = form.period()
    board = dashboard.build(request.user, period)
    if request.GET.get("formato") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"tablero-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")  # Excel reads UTF-8 with its mark
        csv.writer(response).writerows(dashboard.csv_rows(board))
        return response
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Tablero de supervisión",
        "opts": model_admin.model._meta,
        "form": form,
        "board": board,
        "rows": _rows(board),
        "age_buckets": dashboard.AGE_BUCKETS,
        "period_params": period.params(),
        "csv_query": _csv_query(request),
    }
    return TemplateResponse(request, "admin/tickets/ticket/dashboard.html", context)


def _csv_query(request):
    query = request.GET.copy()
    query["formato"] = "csv"
    return query.urlencode()


def _rows(board):
    """One row per department with every figure and its link, ready for the template."""
    url = dashboard.list_url
    period = board.period.params()
    rows = []
    for d in board.departments:
        dept = {"department__id__exact": d.pk}
        backlog = board.backlog.get(d.pk, [0] * len(dashboard.AGE_BUCKETS))
        met, measured = board.on_time_department.get(d.pk, (0, 0))
        reopened, created = board.reopen.get(d.pk, (0, 0))
        rows.append(
            {
                "department": d,
                "backlog": [
                    (n, url(**dept, abiertos=slug))
                    for (slug, *_), n in zip(dashboard.AGE_BUCKETS, backlog, strict=True)
                ],
                "backlog_total": (sum(backlog), url(**dept, abiertos="todos")),
                "due_today": (board.due_today.get(d.pk, 0), url(**dept, vence="hoy")),
                "overdue": (board.overdue.get(d.pk, 0), url(**dept, cola="vencidos")),
                "on_time": (dashboard.rate((met, measured)), met, measured, url(**dept, **period, sla="cumplido")),
                "reopen": (dashboard.rate((reopened, created)), reopened, created, url(**dept, **period)),
                "first_action": board.first_action_hours.get(d.pk),
                "resolution": board.resolution_hours.get(d.pk),
            }
        )
    return rows


def dashboard_urls(model_admin):
    view = model_admin.admin_site.admin_view(lambda request: dashboard_view(model_admin, request))
    return [path("tablero/", view, name="tickets_ticket_dashboard")]
