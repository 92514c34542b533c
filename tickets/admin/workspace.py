"""The staff's workspace in the admin: the queues on the home page and over the ticket list,
and the saved views supervisors share with their teams."""

from django.contrib import admin
from django.utils.html import format_html

from tickets import queues
from tickets.models import Macro, RoutingRule, SavedView, Tag
from tickets.models.workspace import clean_query


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "open_list", "position")
    list_editable = ("position",)
    list_filter = ("department",)
    fields = ("name", "query", "department", "position")

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).select_related("department")

    def get_changeform_initial_data(self, request):
        # "Guardar esta vista" on the ticket list links here with the list's filters.
        initial = super().get_changeform_initial_data(request)
        if "query" in request.GET:
            initial["query"] = clean_query(request.GET["query"])
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="lista")
    def open_list(self, obj):
        return format_html('<a href="{}">Abrir</a>', obj.get_list_url())


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "action", "service", "department", "is_active")
    list_filter = ("kind", "action", "department", "is_active")
    search_fields = ("name", "body")
    fields = ("name", "kind", "action", "body", "service", "department", "is_active")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "is_active", "service", "delegacion", "word", "assignee", "priority")
    list_editable = ("position", "is_active")
    fieldsets = (
        (None, {"fields": ("name", "position", "is_active")}),
        ("Cuando un reporte nuevo…", {"fields": ("service", "delegacion", "word")}),
        ("…entonces", {"fields": ("assignee", "priority", "tags")}),
    )
    filter_horizontal = ("tags",)
    list_select_related = ("service", "delegacion", "assignee")


def saved_views_for(user):
    """The saved views the user sees, from the copy each process keeps with the reference data
    (they change a few times a month; tickets/signals.py forgets it when one is saved)."""
    from tickets import catalogue, permissions

    every = catalogue.kept("saved-views", lambda: list(SavedView.objects.select_related("department")))
    if user.has_perm("tickets.view_all_tickets"):
        return every
    own = permissions.visible_department_id(user)
    return [view for view in every if view.department_id is None or view.department_id == own]


def workspace_context(request, *, kept_counts=False):
    """What the home page and the ticket list show above everything else: the user's queues
    with their counts (the list's kept a few seconds: tickets/queues.py), and the saved views."""
    user = request.user
    if not user.has_perm("tickets.view_ticket"):
        return {}
    context = {
        "my_queues": queues.my_queues(user, kept=kept_counts),
        "saved_views": saved_views_for(user),
        "can_save_views": user.has_perm("tickets.add_savedview"),
    }
    return context


def department_table_context(request):
    user = request.user
    if not user.has_perm("tickets.view_all_tickets") or not user.has_perm("tickets.view_ticket"):
        return {}
    return {"queue_columns": queues.per_department_columns(), "queue_table": queues.by_department(user)}
