"""Forms the staff use on tickets. Each one ends in a call to tickets/lifecycle.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from tickets import actions as ticket_actions
from tickets import lifecycle, macros, permissions
from tickets.folio import parse_folio
from tickets.forms import PhotosField
from tickets.models import Department, Macro, Tag, Ticket

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


HOLD_REASON_CHOICES = [
    ("si", "Público: se muestra en la página de seguimiento"),
    ("no", "Interno: solo lo ve el personal"),
]


def hold_reason_field():
    return forms.ChoiceField(
        label="¿El motivo de la espera es público?",
        choices=HOLD_REASON_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )


class BulkHoldForm(BulkNoteForm):
    reason_public = hold_reason_field()

    def clean(self):
        data = super().clean()
        if not data.get("reason_public"):
            self.add_error("reason_public", ticket_actions.HOLD_QUESTION)
        return data


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
    """The panel on a ticket's page: one action at a time, with what that action needs.

    The actions offered are tickets/actions.py's for this user and ticket, the same list the
    staff API answers with.
    """

    action = forms.ChoiceField(label="Acción", widget=forms.RadioSelect)
    note = forms.CharField(label="Nota", widget=NOTE_WIDGET, required=False, max_length=4000)
    public = forms.BooleanField(label="Nota o fotos públicas (visibles en la página de seguimiento)", required=False)
    # Putting on hold asks, with no default: a reason may name a person or a supplier.
    reason_public = hold_reason_field()
    macro = forms.ModelChoiceField(
        label="Respuesta predefinida",
        queryset=Macro.objects.none(),
        required=False,
        help_text="Inserta su texto en la nota, con los datos de este ticket; puede editarlo antes de aplicar.",
    )
    assignee = forms.ModelChoiceField(label="Responsable", queryset=User.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label="Dependencia", queryset=Department.objects.filter(is_active=True), required=False
    )
    parent_folio = forms.CharField(label="Folio del ticket principal", max_length=30, required=False)
    photos = PhotosField(label="Fotos del trabajo", required=False, help_text="Hasta 3 fotos JPEG, PNG o WebP.")
    tags = forms.ModelMultipleChoiceField(
        label="Etiquetas",
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Con «Cambiar etiquetas»: las marcadas quedan, las demás se quitan.",
    )
    # The newest event on the page the user acts from (tickets/lifecycle/common.py,
    # unchanged_since): a move made from a stale page is refused.
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    field_order = ["action", "macro", "note", "public", "reason_public", "assignee", "department", "parent_folio",
                   "photos", "tags"]  # fmt: skip

    # Which moves each field serves: the page shows a field only with its moves (static/
    # tickets/action_panel.js; without JavaScript every field shows). Unlisted: always.
    FIELD_ACTIONS = {
        "public": ("note", "photo"),
        "reason_public": ("wait",),
        "assignee": ("assign",),
        "department": ("assign",),
        "parent_folio": ("duplicate",),
        "photos": ("photo",),
        "tags": ("tags",),
    }

    # A note or a photo adds to the ticket without overwriting anything: not refused for it.
    ADDS_ONLY = ("note", "photo")

    def __init__(self, *args, user, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.ticket = user, ticket
        self.fields["action"].choices = self.available_actions()
        self.fields["assignee"].queryset = assignable_users(ticket.department)
        self.fields["macro"].queryset = Macro.objects.for_ticket(ticket)
        if not Tag.objects.exists():
            del self.fields["tags"]
        elif not self.is_bound:
            self.initial.setdefault("tags", list(ticket.tags.values_list("pk", flat=True)))
        if not permissions.can_route(user):
            del self.fields["department"]

    def available_actions(self):
        return [
            (code, ticket_actions.label(code, self.user)) for code in ticket_actions.available(self.user, self.ticket)
        ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        macro = data.get("macro")
        if macro is not None and not (data.get("note") or "").strip():
            # Without JavaScript (which fills the note on choosing): the macro is the note.
            data["note"] = macros.expand(macro, self.ticket)
            data["public"] = macro.kind == Macro.Kind.PUBLIC
        if macro is not None and action == "wait" and not data.get("reason_public"):
            data["reason_public"] = "si" if macro.kind == Macro.Kind.PUBLIC else "no"  # the macro answers
        if (
            action in ticket_actions.ACTIONS
            and ticket_actions.ACTIONS[action].needs_note
            and not (data.get("note") or "").strip()
        ):
            self.add_error("note", "Esta acción necesita una nota.")
        if action == "wait" and not data.get("reason_public"):
            self.add_error("reason_public", ticket_actions.HOLD_QUESTION)
        if action == "assign" and not data.get("assignee") and not data.get("department"):
            self.add_error("assignee", "Elija a quién asignar el ticket.")
        if action == "photo" and not data.get("photos") and "photos" not in self.errors:
            self.add_error("photos", "Elija al menos una foto.")
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
        data = self.cleaned_data
        seen = None if data["action"] in self.ADDS_ONLY else data.get("seen_event")
        public = data.get("reason_public") == "si" if data["action"] == "wait" else data.get("public", False)
        with lifecycle.unchanged_since(seen, self.user):
            return ticket_actions.perform(
                data["action"],
                ticket=self.ticket,
                actor=self.user,
                note=data.get("note") or "",
                public=public,
                assignee=data.get("assignee"),
                department=data.get("department"),
                parent=data.get("parent"),
                photos=data.get("photos") or (),
                tags=data.get("tags") or (),
            )

    def add_refusal(self, refusal):
        if refusal.kind == "conflict" and self.cleaned_data.get("seen_event") is not None:
            seen_now(self, lifecycle.newest_event_id(self.ticket))
        for field, messages in refusal.errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class TicketDetailsForm(forms.ModelForm):
    """The few fields staff may correct directly; routing to another department needs rights.

    Like the action panel, it carries the newest event the user saw, and corrections from a
    page someone else changed since are refused with what they changed."""

    request_user = None
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean(self):
        data = super().clean()
        seen = data.get("seen_event")
        corrected = [name for name in self.changed_data if name != "seen_event"]
        if self.instance.pk and seen is not None and corrected:
            newest = lifecycle.changes_since(self.instance, seen, self.request_user).first()
            if newest is not None:
                seen_now(self, newest.pk)
                raise forms.ValidationError(lifecycle.conflict_message(newest))
        return data

    def clean_service(self):
        service = self.cleaned_data["service"]
        if (
            self.instance.pk
            and service.department_id != self.instance.department_id
            and not permissions.can_route(self.request_user)
        ):
            raise forms.ValidationError("Ese servicio es de otra dependencia: solo la Gerencia puede turnarlo.")
        return service


def seen_now(form, event_id):
    """After a refusal for a colleague's change, the form shown again carries that change as
    seen: once the user has looked, sending again applies."""
    form.data = form.data.copy()
    form.data[form.add_prefix("seen_event")] = str(event_id)
