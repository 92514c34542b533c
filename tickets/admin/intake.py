"""Phone intake: the call-center operator's one fast form (channel `telefono`).

The operator types what the caller says, sees the caller's earlier tickets by phone
number, and reads the new folio and due date back before hanging up.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tickets import lifecycle, permissions
from tickets.formatting import due_in_words
from tickets.models import Channel, Priority, Service, Ticket


def grouped_services():
    """Choices grouped as residents know them; emergencies last, in a group of their own."""
    groups = {}
    for service in Service.objects.active().order_by("group", "name"):
        group = "Emergencias: canalizar al 911 / C2" if service.is_emergency else service.group
        groups.setdefault(group, []).append((service.pk, service.name))
    emergencies = groups.pop("Emergencias: canalizar al 911 / C2", [])
    choices = [("", "---------"), *groups.items()]
    if emergencies:
        choices.append(("Emergencias: canalizar al 911 / C2", emergencies))
    return choices


class PhoneIntakeForm(forms.Form):
    reporter_phone = forms.CharField(
        label="Teléfono de quien llama",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "off"}),
    )
    reporter_name = forms.CharField(label="Nombre", max_length=150, required=False)
    service = forms.ChoiceField(label="Servicio")
    address = forms.CharField(label="Calle y número o referencia", max_length=300)
    description = forms.CharField(label="¿Qué pasa?", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    reporter_email = forms.EmailField(label="Correo (opcional)", required=False)
    priority = forms.ChoiceField(label="Prioridad", choices=Priority.choices, initial=Priority.NORMAL)

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = grouped_services()
        colonia_field = Ticket._meta.get_field("colonia")
        self.fields["colonia"] = forms.ModelChoiceField(
            label="Colonia",
            queryset=colonia_field.related_model.objects.all(),
            required=False,
            widget=AutocompleteSelect(colonia_field, admin_site),
        )
        self.order_fields(["reporter_phone", "reporter_name", "service", "colonia"])

    def clean_service(self):
        service = Service.objects.active().filter(pk=self.cleaned_data["service"]).first()
        if service is None:
            raise forms.ValidationError("Elija un servicio de la lista.")
        return service

    def clean_reporter_phone(self):
        raw = self.cleaned_data["reporter_phone"]
        phone = lifecycle.normalize_phone(raw)
        if raw and len(phone) != 10:
            raise forms.ValidationError("Escriba los 10 dígitos del teléfono.")
        return phone


def caller_history(phone, user, limit=10):
    """The caller's earlier tickets, newest first (uses the partial phone index)."""
    phone = lifecycle.normalize_phone(phone)
    if len(phone) != 10:
        return []
    return list(
        Ticket.objects.visible_to(user)
        .filter(reporter_phone=phone)
        .select_related("service")
        .order_by("-created_at")[:limit]
    )


def _require_intake(request):
    if not permissions.can_take_calls(request.user):
        raise PermissionDenied


def intake_view(model_admin, request):
    _require_intake(request)
    site = model_admin.admin_site
    form = PhoneIntakeForm(request.POST or None, admin_site=site)
    history = []
    if request.method == "POST":
        history = caller_history(request.POST.get("reporter_phone", ""), request.user)
        # "Buscar historial" only looks up the caller (works without JavaScript).
        if "_lookup" not in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                ticket = lifecycle.ticket_create(
                    service=data["service"],
                    description=data["description"],
                    channel=Channel.TELEFONO,
                    address=data["address"],
                    colonia=data["colonia"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    reporter_email=data["reporter_email"],
                    priority=data["priority"],
                    actor=request.user,
                )
            except lifecycle.Refused as refusal:
                for field, messages in refusal.errors.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("admin:tickets_ticket_intake_done", pk=ticket.pk)
    context = {
        **site.each_context(request),
        "title": "Recepción telefónica",
        "opts": Ticket._meta,
        "form": form,
        "media": model_admin.media + form.media,
        "history": history,
        "history_url": reverse("admin:tickets_ticket_caller_history"),
    }
    return TemplateResponse(request, "admin/tickets/ticket/intake.html", context)


def intake_done_view(model_admin, request, pk):
    _require_intake(request)
    ticket = get_object_or_404(Ticket.objects.select_related("service", "department"), pk=pk)
    _, year, number = ticket.folio.split("-")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Folio {ticket.folio}",
        "opts": Ticket._meta,
        "ticket": ticket,
        "folio_spoken": f"73 11 · {year} · {' '.join(number[i : i + 3] for i in range(0, len(number), 3))}",
        "due_words": due_in_words(ticket.due_at),
    }
    return TemplateResponse(request, "admin/tickets/ticket/intake_done.html", context)


def caller_history_view(model_admin, request):
    """JSON for the intake form: shown as the operator types the phone number."""
    _require_intake(request)
    tickets = caller_history(request.GET.get("telefono", ""), request.user)
    return JsonResponse(
        {
            "tickets": [
                {
                    "folio": t.folio,
                    "service": t.service.name,
                    "status": t.get_status_display(),
                    "created": t.created_at.isoformat(),
                    "address": t.address,
                    "url": reverse("admin:tickets_ticket_change", args=[t.pk]),
                }
                for t in tickets
            ]
        }
    )


def intake_urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path("telefono/", wrap(lambda r: intake_view(model_admin, r)), name="tickets_ticket_intake"),
        path(
            "telefono/<int:pk>/",
            wrap(lambda r, pk: intake_done_view(model_admin, r, pk)),
            name="tickets_ticket_intake_done",
        ),
        path(
            "telefono/historial/",
            wrap(lambda r: caller_history_view(model_admin, r)),
            name="tickets_ticket_caller_history",
        ),
    ]
