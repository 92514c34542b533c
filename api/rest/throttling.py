"""Rate limits of the REST API, counted in the shared cache like the web's."""

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from tickets import reporting


class AnonymousReads(SimpleRateThrottle):
    """Anonymous reads per address (API_READ_RATE, default 600 a minute)."""

    scope = "anon-read"

    def get_rate(self):
        return settings.API_READ_RATE

    def get_cache_key(self, request, view):
        if request.method not in ("GET", "HEAD"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def limit_reports(request):
    """The web form's limits (REPORT_RATE_LIMITS, per address, counted together with it)."""
    if reporting.rate_limited(request):
        raise Throttled(
            wait=60, detail="Recibimos muchos reportes desde su conexión. Intente más tarde o llame al *7311."
        )
