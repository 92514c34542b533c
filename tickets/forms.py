"""The forms residents fill in: report a problem, look up a folio, follow up privately."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from tickets import catalogue, lifecycle, photos
from tickets.lifecycle import DESCRIPTION_LIMIT
from tickets.models import Channel, Colonia, ServiceAttribute


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to three photos, each checked and cleaned (tickets/photos.py); with `defer`, only
    checked, and cleaned by a task once the report is saved (RawPhoto values)."""

    widget = MultipleFileInput(attrs={"accept": photos.ACCEPT_ATTRIBUTE})

    def __init__(self, *args, defer=False, **kwargs):
        self.defer = defer
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > photos.MAX_PHOTOS:
            raise ValidationError(f"Puede agregar hasta {photos.MAX_PHOTOS} fotos.")
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append((photos.check_photo if self.defer else photos.clean_photo)(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def colonia_label(colonia):
    kind = f"{colonia.settlement_type.lower()}, " if colonia.settlement_type else ""
    return f"{colonia.name} ({kind}CP {colonia.postal_code})"


class ColoniaSelect(forms.Select):
    """The colonia chooser, its options joined from HTML kept per catalogue version
    (catalogue.colonia_options) instead of one template per option: the same markup as
    Django's Select, at a fraction of a millisecond instead of about 14 ms a page."""

    empty_label = "---------"

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        if self.empty_label is not None:
            selected = "" if chosen - {""} else " selected"
            parts.append(format_html('<option value=""{}>{}</option>', selected, self.empty_label))
        for pk, option in catalogue.colonia_options():
            parts.append(option.replace('">', '" selected>', 1) if pk in chosen else option)
        parts.append("</select>")
        return mark_safe("\n".join(parts))


class ColoniaChoiceField(forms.ModelChoiceField):
    widget = ColoniaSelect

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.empty_label = self.empty_label

    def __deepcopy__(self, memo):
        """Each form's copy shares the declared queryset. ModelChoiceField clones it twice per
        form, so that its choices iterate the copy; this field never iterates them (its
        options and the chosen colonia come from the catalogue), and the clones were a sixth
        of building the report form."""
        return forms.Field.__deepcopy__(self, memo)

    def to_python(self, value):
        """The chosen colonia from the catalogue's copy: no query per report."""
        if value in self.empty_values:
            return None
        try:
            found = catalogue.colonia(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def label_from_instance(self, colonia):
        return colonia_label(colonia)


def attribute_field(attribute):
    """A form field for one of the service's extra questions."""
    common = {"label": attribute.question, "required": attribute.required}
    kind = attribute.datatype
    choices = [(c["key"], c["name"]) for c in attribute.choices]
    if kind == ServiceAttribute.DataType.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == ServiceAttribute.DataType.MULTI:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == ServiceAttribute.DataType.NUMBER:
        return forms.IntegerField(min_value=0, max_value=100000, **common)
    if kind == ServiceAttribute.DataType.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == ServiceAttribute.DataType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, **common)
    return forms.CharField(max_length=250, **common)


class ReportForm(forms.Form):
    """The citizen report for one service. Field order is the page's order."""

    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    colonia = ColoniaChoiceField(
        label="Colonia",
        queryset=Colonia.objects.order_by("name", "postal_code"),
        empty_label="Elija su colonia",
        help_text="Puede escribir para buscar; cada colonia muestra su código postal.",
        error_messages={
            "required": "Elija la colonia donde está el problema.",
            "invalid_choice": "Elija una colonia de la lista.",
        },
    )
    address = forms.CharField(
        label="Calle y número, o una referencia",
        max_length=300,
        help_text="Por ejemplo: Av. Tecnológico 1200, frente a la farmacia.",
        error_messages={"required": "Escriba la calle y número o una referencia para encontrar el lugar."},
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput, max_digits=9, decimal_places=6)
    description = forms.CharField(
        label="Describa el problema",
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_LIMIT}),
        help_text="Esta descripción es pública: no escriba nombres, teléfonos ni datos personales. "
        "Máximo 4,000 caracteres.",
        error_messages={
            "required": "Describa el problema.",
            "max_length": "La descripción puede tener hasta 4,000 caracteres (tiene %(show_value)d).",
        },
    )
    photos = PhotosField(
        label="Fotos (opcional)",
        required=False,
        defer=True,  # cleaned after the report is saved (tickets/lifecycle/incoming_photos.py)
        help_text="Hasta 3 fotos JPEG, PNG o WebP de hasta 10 MB cada una. Les quitamos la ubicación y los "
        "datos de la cámara antes de mostrarlas.",
    )
    reporter_name = forms.CharField(label="Nombre", max_length=150, required=False)
    reporter_phone = forms.CharField(
        label="Teléfono",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="10 dígitos. Solo para avisarle o pedirle más datos.",
    )
    reporter_email = forms.EmailField(
        label="Correo electrónico",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Le enviaremos su folio y el enlace para seguir su reporte.",
        error_messages={"invalid": "Escriba un correo válido, por ejemplo nombre@correo.com."},
    )
    # A field people never see: bots fill every field they find.
    website = forms.CharField(required=False, label="Deje este campo vacío", max_length=200)

    def __init__(self, *args, service, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.pending = list(pending)  # PendingPhoto rows the resident kept from an earlier attempt
        self.fields["reporter_name"].widget.attrs["autocomplete"] = "name"
        self.attribute_names = []
        for attribute in service.attributes.all():
            name = f"attribute_{attribute.code}"
            self.fields[name] = attribute_field(attribute)
            self.attribute_names.append(name)
        self.order_fields(
            [
                "submission_key",
                "colonia",
                "address",
                "latitude",
                "longitude",
                "description",
                *self.attribute_names,
                "photos",
            ]
        )
        if service.contact_required:
            self.fields["reporter_phone"].help_text = "Este servicio requiere teléfono o correo para darle seguimiento."
        if service.photo_required:
            self.fields["photos"].label = "Fotos (al menos una)"

    @staticmethod
    def new_key():
        return uuid.uuid4().hex

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise ValidationError("No pudimos recibir el formulario. Intente de nuevo.")
        return ""

    def clean(self):
        """The lifecycle's rules of a new report (tickets/lifecycle/report.py), so the web
        form refuses exactly what the phone intake and the APIs refuse, in the same words."""
        data = super().clean()
        self.checked = None
        if self.errors.get("latitude") or self.errors.get("longitude"):
            return data
        try:
            # Kept with its arguments: ticket_create() does not check the same report again.
            self.checked = lifecycle.checked(
                service=self.service,
                channel=Channel.WEB,
                description=data.get("description") or "",
                address=data.get("address") or "",
                colonia=data.get("colonia"),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                reporter_name=data.get("reporter_name") or "",
                reporter_phone=data.get("reporter_phone") or "",
                reporter_email=data.get("reporter_email") or "",
                attributes=self.attributes(),
                photos=len(self.pending) + len(data.get("photos") or []),
            )
        except lifecycle.Refused as refusal:
            self.add_refusal(refusal)
        return data

    def add_refusal(self, refusal):
        """Place the lifecycle's messages on their fields, without repeating a field's own."""
        for field, messages in refusal.errors.items():
            name = field if field in self.fields else None
            if name is not None and name in self.errors:
                continue
            if field == "location" and ("colonia" in self.errors or "address" in self.errors):
                continue  # "where?" is already asked by those fields
            for message in messages:
                self.add_error(name, message)

    def attributes(self):
        answers = {}
        for name in self.attribute_names:
            value = getattr(self, "cleaned_data", {}).get(name)
            if value not in (None, "", []):
                answers[name.removeprefix("attribute_")] = value.isoformat() if hasattr(value, "isoformat") else value
        return answers


class LookupForm(forms.Form):
    folio = forms.CharField(
        label="Folio",
        max_length=40,
        help_text="Por ejemplo 7311-2026-000123. Si su reporte es de antes de este portal, escriba su número anterior.",
        error_messages={"required": "Escriba el folio de su reporte."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class AddInfoForm(forms.Form):
    text = forms.CharField(
        label="Información adicional",
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_LIMIT}),
        help_text="Es pública, como la descripción: no escriba datos personales.",
        error_messages={"required": "Escriba la información que quiere agregar."},
    )
    photos = PhotosField(label="Fotos (opcional)", required=False, help_text="Hasta 3 fotos JPEG, PNG o WebP.")


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label="¿Qué sigue mal?",
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "El reporte se reabre y la dependencia recibe un aviso. Su comentario es público: "
            "no escriba su nombre, teléfono ni correo."
        ),
        error_messages={"required": "Cuéntenos qué sigue mal para reabrir el reporte."},
    )
