from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The public navigation, in order. A section appears once its app provides the URL name.
NAVIGATION = [
    ("home", "Inicio"),
    ("report", "Reportar"),
    ("tracking", "Seguimiento"),
    ("my_reports", "Mis reportes"),
    ("map", "Mapa"),
    ("stats", "Estadísticas"),
    ("open_data", "Datos abiertos"),
    ("news:list", "Noticias"),
    ("surveys:encuesta", "Encuesta"),
]


@cache  # URLs do not change while the process runs
def _navigation():
    items = []
    for name, label in NAVIGATION:
        try:
            items.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return items


def site(request):
    """What every public page shows in its header and footer."""
    return {
        "SITE_NAME": "Metepec *7311",
        "PHONE_LINE": "*7311",
        "navigation": _navigation(),
        "SERVICE_WORKER": settings.SERVICE_WORKER,
    }
