"""Rate limits of the REST API, counted in the shared cache like the web's."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from metepec7311.security import client_address
from tickets import reporting


class AnonymousReads(BaseThrottle):
    """Anonymous reads per address (API_READ_RATE, default 600 a minute), on a counter in the
    shared cache (django-ratelimit): one increment per request, whatever the rate — DRF's own
    throttle would keep and rewrite the list of every request's time."""

    def allow_request(self, request, view):
        if request.method not in ("GET", "HEAD"):
            return True
        return not is_ratelimited(
            request, group="api-read", key=client_address, rate=settings.API_READ_RATE, increment=True
        )

    def wait(self):
        return 60


def limit_reports(request):
    """The web form's limits (REPORT_RATE_LIMITS, per address, counted together with it)."""
    if reporting.rate_limited(request):
        raise Throttled(
            wait=60, detail="Recibimos muchos reportes desde su conexión. Intente más tarde o llame al *7311."
        )
