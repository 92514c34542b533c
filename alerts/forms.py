"""The forms of residents' alerts: follow an area (and optionally a service), follow a report."""

from django import forms
from django.conf import settings

from alerts.models import Subscription
from tickets import geo
from tickets.forms import ColoniaChoiceField
from tickets.models import Colonia, Locality, Service

Scope = Subscription.Scope
RADIUS_CHOICES = [(250, "250 m"), (500, "500 m"), (1000, "1 km"), (2000, "2 km")]
EMAIL_HELP = "Solo para enviarle los avisos; nunca se publica. Le pediremos confirmarlo."


class EmailField(forms.EmailField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Su correo electrónico")
        kwargs.setdefault("help_text", EMAIL_HELP)
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Escriba su correo electrónico.",
                "invalid": "Escriba un correo válido, como nombre@ejemplo.com.",
            },
        )
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)


class FollowTicketForm(forms.Form):
    """The report's "Avisarme de este reporte": only an address."""

    email = EmailField()


class AreaForm(forms.Form):
    email = EmailField()
    scope = forms.ChoiceField(
        label="¿Qué zona quiere seguir?",
        choices=[
            (Scope.COLONIA, "Una colonia"),
            (Scope.LOCALITY, "Una localidad"),
            (Scope.CIRCLE, "Alrededor de un punto (latitud y longitud)"),
        ],
        initial=Scope.COLONIA,
        widget=forms.RadioSelect,
        error_messages={"required": "Elija qué zona quiere seguir."},
    )
    colonia = ColoniaChoiceField(
        label="Colonia",
        queryset=Colonia.objects.order_by("name", "postal_code"),
        required=False,
        empty_label="Elija la colonia",
        error_messages={"invalid_choice": "Elija una colonia de la lista."},
    )
    locality = forms.ModelChoiceField(
        label="Localidad",
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="Elija la localidad",
        error_messages={"invalid_choice": "Elija una localidad de la lista."},
    )
    latitude = forms.DecimalField(
        label="Latitud", required=False, max_digits=9, decimal_places=6, help_text="Por ejemplo 19.2543"
    )
    longitude = forms.DecimalField(
        label="Longitud", required=False, max_digits=9, decimal_places=6, help_text="Por ejemplo -99.6040"
    )
    radius_m = forms.TypedChoiceField(label="Radio", choices=RADIUS_CHOICES, coerce=int, initial=500, required=False)
    service = forms.ModelChoiceField(
        label="Servicio (opcional)",
        queryset=Service.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Todos los servicios",
        to_field_name="code",
        error_messages={"invalid_choice": "Elija un servicio de la lista."},
    )

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == Scope.COLONIA and not data.get("colonia") and "colonia" not in self.errors:
            self.add_error("colonia", "Elija la colonia que quiere seguir.")
        elif scope == Scope.LOCALITY and not data.get("locality") and "locality" not in self.errors:
            self.add_error("locality", "Elija la localidad que quiere seguir.")
        elif scope == Scope.CIRCLE:
            lat, lon = data.get("latitude"), data.get("longitude")
            if lat is None or lon is None:
                if "latitude" not in self.errors and "longitude" not in self.errors:
                    self.add_error("latitude", "Escriba la latitud y la longitud del punto.")
            elif not geo.inside_municipality(lat, lon):
                self.add_error("latitude", "Ese punto está fuera del municipio de Metepec.")
            radius = data.get("radius_m") or 500
            if radius > settings.ALERTS_MAX_RADIUS_METRES:
                self.add_error("radius_m", f"El radio máximo es de {settings.ALERTS_MAX_RADIUS_METRES} m.")
            data["radius_m"] = radius
        return data

    def target(self):
        """The keyword arguments of subscriptions.subscribe() for the chosen target."""
        data = self.cleaned_data
        scope = data["scope"]
        target = {"scope": scope, "service": data.get("service")}
        if scope == Scope.COLONIA:
            target["colonia"] = data["colonia"]
        elif scope == Scope.LOCALITY:
            target["locality"] = data["locality"]
        else:
            target.update(latitude=geo.quantize(data["latitude"]), longitude=geo.quantize(data["longitude"]),
                          radius_m=data["radius_m"])  # fmt: skip
        return target
