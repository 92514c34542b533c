"""Moderation in the admin: the ticket's "Moderar contenido" page (hide or redact the
description, a note or a photo; tickets/lifecycle/moderation.py) and the read-only record of
every moderation, with the originals, for those who may moderate."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from tickets import lifecycle, permissions
from tickets.models import Moderation

Target = Moderation.Target


class ModerationForm(forms.Form):
    target = forms.ChoiceField(choices=Target.choices, widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label="Qué hacer", choices=[("editar", "Publicar el texto editado"), ("ocultar", "Ocultar el texto")]
    )
    replacement = forms.CharField(
        label="Texto que se publicará",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=True,
    )
    reason = forms.ChoiceField(
        label="Motivo",
        choices=[("", "—"), *Moderation.Reason.choices],
        error_messages={"required": "Elija el motivo de la moderación."},
    )
    explanation = forms.CharField(
        label="Explicación (para el registro, no se publica)",
        max_length=1000,
        error_messages={"required": "Explique por qué se modera (queda en el registro, no se publica)."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _items(ticket, posted):
    """What may be moderated on this ticket, each with the form it is shown with (the one that
    was just posted keeps what the supervisor typed)."""

    def form_for(target, item=None, text=""):
        if (
            posted is not None
            and posted.data.get("target") == target
            and posted.data.get("item", "") == str(item or "")
        ):
            return posted
        return ModerationForm(initial={"target": target, "item": item, "replacement": text, "mode": "editar"})

    items = [
        ("Descripción del reporte", ticket.description, None, form_for(Target.DESCRIPTION, text=ticket.description))
    ]
    for note in ticket.events.exclude(note="").exclude(kind="moderated").order_by("created_at", "id"):
        seen_by = "pública" if note.is_public else "interna"
        label = f"Nota de {note.actor_name}, {timezone.localtime(note.created_at):%d/%m/%Y %H:%M} ({seen_by})"
        items.append((label, note.note, None, form_for(Target.NOTE, note.pk, note.note)))
    for photo in ticket.photos.filter(is_public=True):
        label = f"Foto pública del {timezone.localtime(photo.created_at):%d/%m/%Y}"
        items.append((label, "", photo, form_for(Target.PHOTO, photo.pk)))
    return items


def moderation_view(model_admin, request, pk):
    ticket = model_admin.get_queryset(request).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    if not permissions.can_moderate(request.user):
        raise PermissionDenied
    posted = None
    if request.method == "POST":
        posted = ModerationForm(request.POST)
        if posted.is_valid():
            try:
                _apply(ticket, request.user, posted.cleaned_data)
                messages.success(request, "Contenido moderado; el original queda en el registro de moderación.")
                return redirect("admin:tickets_ticket_change", ticket.pk)
            except lifecycle.Refused as refusal:
                for field, problems in refusal.errors.items():
                    for problem in problems:
                        posted.add_error(field if field in posted.fields else None, problem)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Moderar contenido de {ticket.folio}",
        "ticket": ticket,
        "opts": model_admin.model._meta,
        "items": _items(ticket, posted),
        "history": ticket.moderations.select_related("event", "photo"),
    }
    return TemplateResponse(request, "admin/tickets/ticket/moderation.html", context)


def _apply(ticket, user, data):
    why = {"reason": data["reason"], "explanation": data["explanation"]}
    if data["target"] == Target.PHOTO:
        photo = ticket.photos.filter(pk=data["item"]).first()
        if photo is None:
            raise lifecycle.Refused("Esa foto ya no está en el ticket.")
        return lifecycle.ticket_hide_photo(ticket=ticket, actor=user, photo=photo, **why)
    note_event = None
    if data["target"] == Target.NOTE:
        note_event = ticket.events.filter(pk=data["item"]).first()
        if note_event is None:
            raise lifecycle.Refused("Esa nota ya no está en el ticket.")
    replacement = "" if data["mode"] == "ocultar" else data["replacement"]
    if data["mode"] == "editar" and not replacement:
        raise lifecycle.Refused("Escriba el texto que se publicará, o elija «Ocultar».", field="replacement")
    return lifecycle.ticket_moderate_text(
        ticket=ticket, actor=user, note_event=note_event, replacement=replacement, **why
    )


def moderation_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            "<int:pk>/moderar/",
            wrap(lambda request, pk: moderation_view(model_admin, request, pk)),
            name="tickets_ticket_moderate",
        )
    ]


@admin.register(Moderation)
class ModerationAdmin(admin.ModelAdmin):
    """The record: who moderated what, why, and the original. Never edited or deleted."""

    list_display = ["created_at", "ticket_link", "target", "reason", "actor_name"]
    list_filter = ["target", "reason"]
    search_fields = ["ticket__folio"]
    list_select_related = ["ticket"]
    readonly_fields = [field.name for field in Moderation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="ticket", ordering="ticket__folio")
    def ticket_link(self, record):
        url = reverse("admin:tickets_ticket_change", args=[record.ticket_id])
        return format_html('<a href="{}">{}</a>', url, record.ticket.folio)
