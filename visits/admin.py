"""The visits report in the admin, for supervisors (and superusers), with a CSV download."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from tickets.permissions import SUPERVISOR_GROUP
from visits import report, views
from visits.models import VisitReport


def is_supervisor(user):
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or user.groups.filter(name=SUPERVISOR_GROUP).exists())
    )


@admin.register(VisitReport)
class VisitReportAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_supervisor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_supervisor(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("csv/", self.admin_site.admin_view(self.csv_view), name="visits_visitreport_csv"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        if not is_supervisor(request.user):
            raise PermissionDenied
        views._fresh()
        form, period = report.period_from(request.GET)
        context = {
            **self.admin_site.each_context(request),
            "title": "Visitas al portal",
            "opts": self.model._meta,
            "form": form,
            "r": report.report(period),
            "query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/visits/report.html", context)

    def csv_view(self, request):
        if not is_supervisor(request.user):
            raise PermissionDenied
        views._fresh()
        _, period = report.period_from(request.GET)
        return views.period_csv(period)
