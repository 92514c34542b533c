from django.contrib import admin
from django.utils import timezone

from tickets.models import NonWorkingDay, WorkingHours
from tickets.sla import federal_rest_days


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("__str__", "opens_at", "closes_at")
    list_editable = ("opens_at", "closes_at")
    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NonWorkingDay)
class NonWorkingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "source")
    list_filter = ("source",)
    date_hierarchy = "date"
    search_fields = ("name",)

    def changelist_view(self, request, extra_context=None):
        # Federal rest days are computed (holidays package), not stored: show them for context.
        year = timezone.localdate().year
        federal = sorted(federal_rest_days(year) | federal_rest_days(year + 1))
        return super().changelist_view(request, {**(extra_context or {}), "federal_days": federal})
