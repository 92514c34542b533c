"""Template helpers for the citizen pages: accessible fields and friendly labels."""

from django import template
from django.utils import dateformat, timezone, translation

from tickets.models import SlaState

register = template.Library()

GROUPED_WIDGETS = ("radioselect", "checkboxselectmultiple")


@register.filter
def accessible(field):
    """Render a field's widget with aria-describedby (hint and errors) and aria-invalid."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    ids += [f"{field.auto_id}_error{n}" for n in range(1, len(field.errors) + 1)]
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_group(field):
    return field.widget_type in GROUPED_WIDGETS


@register.filter
def error_anchor(field):
    """The element an error summary link should move focus to."""
    return f"{field.auto_id}_0" if field.widget_type in GROUPED_WIDGETS else field.auto_id


SLA_WORDS = {
    SlaState.A_TIEMPO: "En tiempo",
    SlaState.POR_VENCER: "Por vencer",
    SlaState.VENCIDO: "Plazo vencido",
    SlaState.CUMPLIDO: "Atendido a tiempo",
    SlaState.INCUMPLIDO: "Atendido fuera de plazo",
    SlaState.NO_APLICA: "Sin plazo",
}


@register.filter
def sla_words(state):
    return SLA_WORDS.get(state, "")


@register.filter
def fecha(value, fmt=r"j \d\e F \d\e Y, H:i"):
    """A local date in Spanish with lower-case month and day names ("7 de diciembre")."""
    if not value:
        return ""
    with translation.override("es-mx"):
        return dateformat.format(timezone.localtime(value), fmt).lower()


@register.filter
def iso_fecha(value, fmt=r"j \d\e F \d\e Y, H:i"):
    """`fecha` for an ISO-8601 string (as snapshots store times)."""
    from datetime import datetime

    try:
        return fecha(datetime.fromisoformat(value), fmt)
    except (TypeError, ValueError):
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])
