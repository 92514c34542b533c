from django.contrib import admin

from tickets.models import Department, Service, ServiceAttribute


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    fields = ("order", "code", "question", "datatype", "required", "choices")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "group",
        "department",
        "sla_hours",
        "citizen_reportable",
        "is_emergency",
        "is_active",
    )
    list_filter = ("citizen_reportable", "is_emergency", "is_active", "group", "department")
    search_fields = ("name", "code", "description")
    list_select_related = ("department",)
    inlines = [ServiceAttributeInline]
    fieldsets = (
        (None, {"fields": ("name", "code", "description", "group", "open311_group", "department")}),
        (
            "Reglas",
            {
                "fields": (
                    "sla_hours",
                    "citizen_reportable",
                    "is_emergency",
                    "photo_required",
                    "contact_required",
                    "is_active",
                )
            },
        ),
        ("Historial", {"fields": ("legacy_app_id",), "classes": ("collapse",)}),
    )

    def has_delete_permission(self, request, obj=None):
        # Tickets keep their service forever; retire a service with "activo" instead.
        return False
