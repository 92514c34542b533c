"""Bulk actions of the ticket list. Each ticket goes through tickets/actions.py (the same
moves as the ticket page and the staff API) on its own, so a refusal on one (a closed ticket,
another department's) is reported and the rest proceed."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from tickets import actions as ticket_actions
from tickets import lifecycle
from tickets.admin.forms import BulkDuplicateForm, BulkHoldForm, BulkNoteForm

MAX_BULK = 200


def _run(request, queryset, verb, change):
    tickets = list(queryset.select_related("service", "department")[: MAX_BULK + 1])
    if len(tickets) > MAX_BULK:
        messages.error(request, f"Seleccione como máximo {MAX_BULK} tickets a la vez.")
        return
    done, refused = [], []
    for ticket in tickets:
        try:
            change(ticket)
            done.append(ticket.folio)
        except lifecycle.Refused as refusal:
            refused.append(refusal.message)
    if done:
        messages.success(request, f"{verb}: {', '.join(done)}.")
    for message in refused:
        messages.error(request, message)


def _with_form(modeladmin, request, queryset, *, form, title, verb, change, help_text=""):
    """Show an intermediate page asking for the note (or folio), then apply the action."""
    if "apply" in request.POST and form.is_valid():
        _run(request, queryset, verb, lambda ticket: change(ticket, form.cleaned_data))
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "help_text": help_text,
        "opts": modeladmin.model._meta,
        "tickets": queryset.select_related("service")[:MAX_BULK],
        "form": form,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/tickets/ticket/bulk_action.html", context)


def _bound(form_class, request, **kwargs):
    return form_class(request.POST if "apply" in request.POST else None, **kwargs)


@admin.action(description="Asignármelos", permissions=["work"])
def assign_to_me(modeladmin, request, queryset):
    _run(
        request,
        queryset,
        "Asignados a usted",
        lambda t: ticket_actions.perform("assign_me", ticket=t, actor=request.user),
    )


@admin.action(description="Iniciar o reanudar la atención", permissions=["work"])
def start(modeladmin, request, queryset):
    _run(request, queryset, "En proceso", lambda t: ticket_actions.perform("start", ticket=t, actor=request.user))


@admin.action(description="Poner en espera (pausa el plazo)…", permissions=["work"])
def put_on_hold(modeladmin, request, queryset):
    return _with_form(
        modeladmin,
        request,
        queryset,
        form=_bound(BulkHoldForm, request),
        title="Poner en espera",
        help_text="Diga qué se espera (material, respuesta del ciudadano, otra dependencia) y si ese motivo "
        "se publica en la página de seguimiento o queda como nota interna.",
        verb="En espera",
        change=lambda t, data: ticket_actions.perform(
            "wait", ticket=t, actor=request.user, note=data["note"], public=data["reason_public"] == "si"
        ),
    )


@admin.action(description="Resolver con nota pública…", permissions=["work"])
def resolve(modeladmin, request, queryset):
    return _with_form(
        modeladmin,
        request,
        queryset,
        form=_bound(BulkNoteForm, request),
        title="Resolver",
        help_text="Diga qué se hizo. La nota es pública: aparece en la página de seguimiento.",
        verb="Resueltos",
        change=lambda t, data: ticket_actions.perform("resolve", ticket=t, actor=request.user, note=data["note"]),
    )


@admin.action(description="Cerrar como «no procede»…", permissions=["work"])
def close_no_procede(modeladmin, request, queryset):
    return _with_form(
        modeladmin,
        request,
        queryset,
        form=_bound(BulkNoteForm, request),
        title="Cerrar como «no procede»",
        help_text="Explique el motivo (no es municipal, datos insuficientes, emergencia canalizada). Es público.",
        verb="Cerrados como «no procede»",
        change=lambda t, data: ticket_actions.perform("no_procede", ticket=t, actor=request.user, note=data["note"]),
    )


@admin.action(description="Marcar como duplicados de otro folio…", permissions=["work"])
def mark_duplicate(modeladmin, request, queryset):
    return _with_form(
        modeladmin,
        request,
        queryset,
        form=_bound(BulkDuplicateForm, request, user=request.user),
        title="Marcar como duplicados",
        help_text="Los tickets seleccionados se cierran y cuentan como vecinos afectados del ticket principal.",
        verb="Marcados como duplicados",
        change=lambda t, data: ticket_actions.perform(
            "duplicate", ticket=t, actor=request.user, parent=data["parent_folio"]
        ),
    )
