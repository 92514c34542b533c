"""The database unreachable: a 503 in Spanish with Retry-After, never a 500 or a server's
English page (docs/reliability.md). The page is standalone: it reads nothing from the
database (no banner, no navigation from it)."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from api.open311.formats import error_response
from api.rest import errors

logger = logging.getLogger(__name__)
RETRY_AFTER = "60"
MESSAGE = "Nuestro sistema no responde por un momento."


def unavailable(request, message=MESSAGE):
    """Each door's own error format: Open311's document, the REST API's body, our page."""
    detail = f"{message} Intente de nuevo en un minuto."
    if request.path.startswith("/open311/"):
        return error_response(request.path.rpartition(".")[2], 503, detail, {"Retry-After": RETRY_AFTER})
    if request.path.startswith("/api/"):
        response = JsonResponse(errors.body(detail, "unavailable"), status=503)
    else:
        response = HttpResponse(loader.get_template("503.html").render({"message": message}), status=503)
    response["Retry-After"] = RETRY_AFTER
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Errors of the connection itself; a constraint or a bad query stays a bug (500).
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("database unavailable for %s", request.path, exc_info=exception)
            return unavailable(request)
        return None
