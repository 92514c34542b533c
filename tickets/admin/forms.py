"""Forms the staff use on tickets. Each one ends in a call to tickets/lifecycle.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from tickets import lifecycle, permissions
from tickets.folio import parse_folio
from tickets.models import Department, Status, Ticket
from tickets.models.ticket import OPEN_STATUSES

User = get_user_model()

NOTE_WIDGET = forms.Textarea(attrs={"rows": 3, "cols": 60})


def find_parent(text, user):
    """The ticket a folio names, if the user may see it; raises ValidationError otherwise."""
    folio = parse_folio(text)
    parent = Ticket.objects.visible_to(user).filter(folio=folio).first() if folio else None
    if parent is None:
        raise forms.ValidationError(f"No se encontró el folio «{text}».")
    return parent


def assignable_users(department):
    """Active staff of the department, plus the Gerencia's supervisors."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(staff_profile__department=department)
            | Q(groups__name=permissions.SUPERVISOR_GROUP)
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("first_name", "username")
    )


class BulkNoteForm(forms.Form):
    note = forms.CharField(
        label="Nota",
        widget=NOTE_WIDGET,
        max_length=4000,
        error_messages={"required": "Escriba la nota: esta acción la necesita."},
    )


class BulkDuplicateForm(forms.Form):
    parent_folio = forms.CharField(
        label="Folio del ticket principal",
        max_length=30,
        error_messages={"required": "Escriba el folio del ticket principal."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_parent_folio(self):
        return find_parent(self.cleaned_data["parent_folio"], self.user)


class TicketActionForm(forms.Form):
    """The panel on a ticket's page: one action at a time, with what that action needs."""

    action = forms.ChoiceField(label="Acción", widget=forms.RadioSelect)
    note = forms.CharField(label="Nota", widget=NOTE_WIDGET, required=False, max_length=4000)
    public = forms.BooleanField(label="Nota pública (visible en la página de seguimiento)", required=False)
    assignee = forms.ModelChoiceField(label="Responsable", queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label="Dependencia", queryset=Department.objects.filter(is_active=True), required=False
    )
    parent_folio = forms.CharField(label="Folio del ticket principal", max_length=30, required=False)

    NEEDS_NOTE = {"note", "wait", "resolve", "no_procede", "reopen"}

    def __init__(self, *args, user, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.ticket = user, ticket
        self.fields["action"].choices = self.available_actions()
        self.fields["assignee"].queryset = assignable_users(ticket.department)
        if not permissions.can_route(user):
            del self.fields["department"]

    def available_actions(self):
        actions = [("note", "Agregar nota")]
        if not permissions.can_work(self.user, self.ticket):
            return actions
        status = self.ticket.status
        if status in OPEN_STATUSES:
            if self.ticket.assignee_id != self.user.pk:
                actions.append(("assign_me", "Asignármelo"))
            actions.append(
                ("assign", "Asignar a otra persona" if not permissions.can_route(self.user) else "Asignar o turnar")
            )
        if status == Status.ASIGNADO:
            actions.append(("start", "Iniciar atención"))
        if status == Status.EN_PROCESO:
            actions.append(("wait", "Poner en espera (pausa el plazo)"))
        if status == Status.EN_ESPERA:
            actions.append(("start", "Reanudar atención"))
        if status in OPEN_STATUSES:
            actions += [
                ("resolve", "Resolver (con nota pública)"),
                ("no_procede", "Cerrar como «no procede»"),
                ("duplicate", "Marcar como duplicado"),
            ]
        if status == Status.RESUELTO:
            actions.append(("reopen", "Reabrir"))
        return actions

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action in self.NEEDS_NOTE and not (data.get("note") or "").strip():
            self.add_error("note", "Esta acción necesita una nota.")
        if action == "assign" and not data.get("assignee") and not data.get("department"):
            self.add_error("assignee", "Elija a quién asignar el ticket.")
        if action == "duplicate":
            if not data.get("parent_folio"):
                self.add_error("parent_folio", "Escriba el folio del ticket principal.")
            else:
                try:
                    data["parent"] = find_parent(data["parent_folio"], self.user)
                except forms.ValidationError as error:
                    self.add_error("parent_folio", error)
        return data

    def apply(self):
        """Run the chosen action through the lifecycle; returns a success message."""
        data, ticket, user = self.cleaned_data, self.ticket, self.user
        note = (data.get("note") or "").strip()
        action = data["action"]
        if action == "note":
            lifecycle.ticket_add_note(ticket=ticket, actor=user, text=note, public=data.get("public", False))
            return "Nota agregada."
        if action == "assign_me":
            lifecycle.ticket_assign(ticket=ticket, actor=user, assignee=user, note=note)
            return "Ticket asignado a usted."
        if action == "assign":
            lifecycle.ticket_assign(
                ticket=ticket, actor=user, assignee=data.get("assignee"), department=data.get("department"), note=note
            )
            return "Asignación actualizada."
        if action == "start":
            lifecycle.ticket_start(ticket=ticket, actor=user, note=note)
            return "Atención iniciada."
        if action == "wait":
            lifecycle.ticket_wait(ticket=ticket, actor=user, reason=note)
            return "Ticket en espera: el plazo está en pausa."
        if action == "resolve":
            lifecycle.ticket_resolve(ticket=ticket, actor=user, public_note=note)
            return "Ticket resuelto."
        if action == "no_procede":
            lifecycle.ticket_close_no_procede(ticket=ticket, actor=user, reason=note)
            return "Ticket cerrado como «no procede»."
        if action == "duplicate":
            lifecycle.ticket_mark_duplicate(ticket=ticket, parent=data["parent"], actor=user)
            return f"Ticket marcado como duplicado de {data['parent'].folio}."
        if action == "reopen":
            lifecycle.ticket_reopen(ticket=ticket, actor=user, reason=note)
            return "Ticket reabierto; el plazo se reinició."
        raise ValueError(action)

    def add_refusal(self, refusal):
        field = refusal.field if refusal.field in self.fields else None
        self.add_error(field, refusal.message)


class TicketDetailsForm(forms.ModelForm):
    """The few fields staff may correct directly; routing to another department needs rights."""

    request_user = None

    def clean_service(self):
        service = self.cleaned_data["service"]
        if (
            self.instance.pk
            and service.department_id != self.instance.department_id
            and not permissions.can_route(self.request_user)
        ):
            raise forms.ValidationError("Ese servicio es de otra dependencia: solo la Gerencia puede turnarlo.")
        return service
