"""The project's URLs plus the reference view of the throughput benchmark."""

from django.http import JsonResponse
from django.urls import path

from metepec7311.urls import urlpatterns as project_urls

CONSTANT = {"ok": True, "service": "Metepec *7311"}


def constant(request):
    """A bare Django view returning constant JSON: the ceiling a page is measured against."""
    return JsonResponse(CONSTANT)


urlpatterns = [path("bench/constant", constant), *project_urls]
