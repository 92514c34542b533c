from django.contrib import admin
from django.contrib.auth import get_user_model

from tickets.models import Department, DepartmentAlerts, Service, ServiceAttribute

User = get_user_model()


class DepartmentAlertsInline(admin.StackedInline):
    """Who in the department hears what (tickets/alerts.py)."""

    model = DepartmentAlerts
    can_delete = False
    filter_horizontal = ("coordinators",)
    verbose_name_plural = "Avisos al personal (quién recibe qué)"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coordinators":
            kwargs["queryset"] = User.objects.filter(is_active=True, is_staff=True).order_by("first_name", "username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DepartmentAlertsInline]


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
