from datetime import date

from django import forms

from tickets.models import Service


def _month(value):
    year, month = value.split("-")
    return date(int(year), int(month), 1)


class StatisticsFilterForm(forms.Form):
    """Date range (by month of creation) and service: they apply to every table."""

    desde = forms.CharField(
        label="Desde (mes)",
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text="Mes de creación de los reportes, por ejemplo 2026-01.",
    )
    hasta = forms.CharField(label="Hasta (mes)", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    servicio = forms.ChoiceField(label="Servicio", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["servicio"].choices = (
            [("", "Todos los servicios")]
            + list(Service.objects.filter(citizen_reportable=True).order_by("name").values_list("code", "name"))
            + list(Service.objects.filter(citizen_reportable=False).order_by("name").values_list("code", "name"))
        )

    def _clean_month(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        try:
            return _month(value)
        except (ValueError, TypeError):
            raise forms.ValidationError("Escriba el mes como AAAA-MM, por ejemplo 2026-01.") from None

    def clean_desde(self):
        return self._clean_month("desde")

    def clean_hasta(self):
        return self._clean_month("hasta")

    def clean(self):
        data = super().clean()
        if data.get("desde") and data.get("hasta") and data["desde"] > data["hasta"]:
            self.add_error("hasta", "El mes final debe ser igual o posterior al inicial.")
        return data
