"""The ticket list and the ticket page of the staff admin.

Department staff only ever get their department's tickets out of get_queryset(), so a
ticket of another department is absent from lists, searches and its own URL alike.
Status changes are never made by editing fields: they go through the action panel and the
list actions, both of which call tickets/lifecycle.py.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tickets import lifecycle, macros, permissions
from tickets.admin import actions
from tickets.admin.dashboard import dashboard_urls
from tickets.admin.forms import TicketActionForm, TicketDetailsForm
from tickets.admin.intake import intake_urls
from tickets.admin.listing import (
    CappedCountPaginator,
    CatalogueFilter,
    DelegacionFilter,
    DueTodayFilter,
    OpenAgeFilter,
    QueueFilter,
    SlaStateFilter,
    TagFilter,
    TicketChangeList,
    search_cap,
)
from tickets.admin.moderation import moderation_urls
from tickets.admin.workspace import workspace_context
from tickets.folio import legacy_candidates, parse_folio
from tickets.formatting import due_in_words, short_age
from tickets.models import Macro, SlaState, Ticket, TicketPhoto
from tickets.models.workspace import clean_query

DETAIL_FIELDS = lifecycle.EDITABLE_DETAILS


class TicketPhotoInline(admin.TabularInline):
    """The ticket's photos, for whoever may see the ticket (no permission of their own:
    department staff had none and saw no photo). Read-only: a photo is added through the
    action panel, and whether it is public is not a checkbox here (one that was silently
    dropped on save); both go through the lifecycle, which records who and when."""

    model = TicketPhoto
    extra = 0
    fields = ("preview", "is_public", "created_at")
    readonly_fields = ("preview", "is_public", "created_at")
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return obj is None or permissions.can_view(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="foto")
    def preview(self, photo):
        return format_html(
            '<a href="{0}"><img src="{0}" alt="Foto del reporte" style="max-height:120px"></a>', photo.image.url
        )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("folio", "service", "colonia_name", "status_label", "sla_badge", "due", "age", "channel")
    list_filter = (
        QueueFilter,
        "status",
        SlaStateFilter,
        ("service", CatalogueFilter),
        ("department", CatalogueFilter),
        DelegacionFilter,
        "channel",
        "priority",
        TagFilter,
        OpenAgeFilter,
        DueTodayFilter,
        ("created_at", admin.DateFieldListFilter),
    )
    list_select_related = ("service", "colonia")
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    # Counts per filter choice ("Mostrar cuentas") would count the whole table once per
    # filter on every page of the list.
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("address", "description")
    search_help_text = (
        "Folio, folio anterior (historial importado), teléfono (10 dígitos), dirección o texto del reporte."
    )
    ordering = ("-created_at", "-id")
    form = TicketDetailsForm
    inlines = [TicketPhotoInline]
    autocomplete_fields = ("colonia",)
    actions = [
        actions.assign_to_me,
        actions.start,
        actions.put_on_hold,
        actions.resolve,
        actions.close_no_procede,
        actions.mark_duplicate,
    ]
    fieldsets = (
        (
            "Reporte",
            {
                "fields": (
                    "folio",
                    "service",
                    "status_label",
                    "sla_badge",
                    "due_words",
                    "priority",
                    "channel",
                    "department",
                    "assignee",
                    "tag_names",
                    "created_at",
                )
            },
        ),
        ("Lugar", {"fields": ("colonia", "address", "locality", "latitude", "longitude")}),
        ("Qué pasa", {"fields": ("description", "attributes", "affected_count", "parent", "duplicates_list")}),
        (
            "Quien reporta (privado: nunca se publica)",
            {"fields": ("reporter_name", "reporter_phone", "reporter_email")},
        ),
        (
            "Plazo",
            {
                "fields": ("due_at", "sla_paused_at", "resolved_at", "closed_at", "reopened_count"),
                "classes": ("collapse",),
            },
        ),
    )

    class Media:
        css = {"all": ("tickets/admin.css",)}

    # The dashboard links to the tickets of one colonia or one person (no filter of their own
    # in the sidebar: a choice of 300 colonias or every staff member would be noise there).
    EXTRA_LOOKUPS = ("colonia__id__exact", "assignee__id__exact")

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.EXTRA_LOOKUPS or super().lookup_allowed(lookup, value, request)

    # --- who sees what -------------------------------------------------------------------
    def get_queryset(self, request):
        # The SLA column is judged in Python per row shown (sla_badge): annotating the state in
        # SQL cost building its six conditions on every page, and the list is not sorted by it.
        return super().get_queryset(request).visible_to(request.user)

    def has_work_permission(self, request):
        return request.user.has_perm("tickets.work_ticket")

    def has_add_permission(self, request):
        return permissions.can_take_calls(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # the record is the accountability: tickets are closed, never deleted

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_work(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.legacy_folio:  # imported history: where it came from
            return (*self.fieldsets, ("Historial importado", {"fields": ("legacy_source", "legacy_folio")}))
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        every = [f for _, options in self.get_fieldsets(request, obj) for f in options["fields"]]
        return [f for f in every if f not in DETAIL_FIELDS]

    def get_changelist(self, request, **kwargs):
        return TicketChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        cap = None
        if request.GET.get(SEARCH_VAR, "").strip():
            try:  # as Django's ChangeList reads it, so the count is for the page it shows
                page = int(request.GET.get(PAGE_VAR, 1))
            except ValueError:
                page = 1
            # Never under what a bulk action takes or "Mostrar todo" shows: a capped count is
            # then always more than either, so a selection of every match is refused
            # (actions.MAX_BULK) instead of acting on more tickets than were shown, and every
            # match is never loaded on one page.
            cap = search_cap(page, per_page, floor=max(actions.MAX_BULK, self.list_max_show_all))
        return self.paginator(queryset, per_page, orphans, allow_empty_first_page, cap=cap)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        if obj is not None:  # the newest change on the page: a stale form is refused (forms.py)
            form.base_fields["seen_event"].initial = lifecycle.newest_event_id(obj)
        # Editing the catalogue belongs on its own pages, not in the middle of a ticket.
        for name in ("service", "colonia"):
            widget = form.base_fields[name].widget if name in form.base_fields else None
            if widget is not None:
                widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
                widget.can_view_related = False
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["show_save_and_add_another"] = False  # new tickets come through the phone intake
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        changes = path(
            "<path:object_id>/cambios/",
            self.admin_site.admin_view(self.changes_view),
            name="tickets_ticket_changes",
        )
        return intake_urls(self) + moderation_urls(self) + dashboard_urls(self) + [changes] + super().get_urls()

    # --- search: exact folio and phone hits use their unique/partial indexes ---------------
    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        folio = parse_folio(term)
        if folio:
            return queryset.filter(folio=folio), False
        phone = lifecycle.normalize_phone(term)
        if len(phone) == 10 and not any(c.isalpha() for c in term):
            return queryset.filter(reporter_phone=phone), False
        # The number a ticket had before this portal (imported history), from its own index.
        legacy = queryset.with_legacy_folio(legacy_candidates(term))
        if term and legacy.exists():
            return legacy, False
        return super().get_search_results(request, queryset, search_term)

    # --- columns -------------------------------------------------------------------------
    @admin.display(description="colonia", ordering="colonia__name")
    def colonia_name(self, obj):
        return obj.colonia.name if obj.colonia_id else "—"

    @admin.display(description="estado", ordering="status")
    def status_label(self, obj):
        return obj.get_status_display()

    @admin.display(description="plazo")
    def sla_badge(self, obj):
        state = obj.sla_state_at()
        return format_html('<span class="sla sla-{}">{}</span>', state, SlaState(state).label)

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        # Django renders this checkbox through the form widget templates, once per row: a third
        # of the list's time at 50 rows. The same markup, written directly.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="Seleccionar {}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
        )

    @admin.display(description="vence", ordering="due_at")
    def due(self, obj):
        return timezone.localtime(obj.due_at).strftime("%d/%m %H:%M") if obj.due_at else "—"

    @admin.display(description="antigüedad", ordering="created_at")
    def age(self, obj):
        return short_age(obj.created_at)

    @admin.display(description="fecha compromiso")
    def due_words(self, obj):
        return due_in_words(obj.due_at)

    @admin.display(description="etiquetas")
    def tag_names(self, obj):
        return ", ".join(tag.name for tag in obj.tags.all()) or "—"

    @admin.display(description="duplicados unidos")
    def duplicates_list(self, obj):
        folios = list(obj.duplicates.values_list("folio", flat=True)[:50])
        return ", ".join(folios) or "—"

    # --- pages ---------------------------------------------------------------------------
    def changelist_view(self, request, extra_context=None):
        context = {
            **workspace_context(request, kept_counts=True),
            "current_queue": request.GET.get("cola", ""),
            "save_query": clean_query(request.GET.urlencode()),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def add_view(self, request, form_url="", extra_context=None):
        # New tickets come in through the phone intake form (or the citizen pages).
        return redirect("admin:tickets_ticket_intake")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None:
            return super().change_view(request, object_id, form_url, extra_context)
        action_form = TicketActionForm(
            user=request.user, ticket=ticket, initial={"seen_event": lifecycle.newest_event_id(ticket)}
        )
        if request.method == "POST" and "_ticket_action" in request.POST:
            action_form = TicketActionForm(request.POST, request.FILES, user=request.user, ticket=ticket)
            if action_form.is_valid():
                try:
                    messages.success(request, action_form.apply())
                    return redirect(request.path)
                except lifecycle.Refused as refusal:
                    action_form.add_refusal(refusal)
            # Render the page (not process the admin form) with the action form's errors and
            # everything the user typed still in it.
            request.method = "GET"
        context = {
            **(extra_context or {}),
            "action_form": action_form,
            "can_moderate": permissions.can_moderate(request.user),
            "timeline": ticket.events.select_related("actor").order_by("created_at", "id"),
            # Every message promised about the ticket, to whom and what became of it.
            "notifications": ticket.notifications.select_related("recipient").order_by("created_at", "id"),
            "changes_url": reverse("admin:tickets_ticket_changes", args=[ticket.pk]),
            # What the macro chooser inserts (static/tickets/macros.js), filled for this ticket.
            "macro_texts": {
                str(macro.pk): {"text": text, "public": macro.kind == Macro.Kind.PUBLIC, "action": macro.action}
                for macro, text in macros.offered(ticket)
            },
        }
        try:
            return super().change_view(request, object_id, form_url, context)
        except lifecycle.Refused as refusal:
            # A colleague's change between the form's check and the row lock (rare): say so.
            messages.error(request, refusal.message)
            return redirect(request.path)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in DETAIL_FIELDS}
        if changes:
            with lifecycle.unchanged_since(form.cleaned_data.get("seen_event"), request.user):
                lifecycle.ticket_update_details(ticket=obj, actor=request.user, **changes)

    def changes_view(self, request, object_id):
        """What others changed on the ticket after the event `desde` (JSON): the ticket page
        asks every few seconds and says so, before the user acts on a stale page."""
        ticket = self.get_object(request, unquote(object_id))
        if ticket is None:
            return JsonResponse({"error": "No existe o no tiene permiso para verlo."}, status=404)
        try:
            since = int(request.GET.get("desde", ""))
        except ValueError:
            return JsonResponse({"error": "Falta «desde»: el número del último cambio visto."}, status=400)
        changes = lifecycle.changes_since(ticket, since, request.user)[:5]
        return JsonResponse(
            {"changes": [{"id": c.pk, "message": lifecycle.conflict_message(c, refused=False)} for c in changes]}
        )

    def save_related(self, request, form, formsets, change):
        # Photos are read-only here and nothing else is related: nothing is written, but the
        # formsets still say so (the admin's change message reads what they saved).
        for formset in formsets:
            formset.save(commit=False)
