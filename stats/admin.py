from django.contrib import admin

from stats.models import DriftReport


@admin.register(DriftReport)
class DriftReportAdmin(admin.ModelAdmin):
    """What the nightly reconciliation found: supervisors check that it stays at zero."""

    list_display = ("checked_at", "cells_checked", "cells_drifted", "repaired")
    readonly_fields = ("checked_at", "cells_checked", "cells_drifted", "sample", "repaired")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
