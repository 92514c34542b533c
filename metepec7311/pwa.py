"""The residents' app: the web app manifest, the service worker and the offline page.

The app is the portal itself (no second code base): the manifest makes it installable and
the service worker (templates/pwa/sw.js) keeps the shell and the report forms for when the
network drops, and reports sent offline until it returns. docs/app.md says what is kept.
"""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

THEME = "#7a1f3d"  # the brand colour of site.css

# Our own static files the shell needs offline; Leaflet and map tiles are not among them
# (the map is optional and loaded on demand).
SHELL_STATIC = (
    "css/site.css",
    "app/app.js",
    "app/store.js",
    "tickets/report.js",
    "img/favicon.svg",
    "img/icon-192.png",
)
ICONS = (
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)


def shell_pages():
    return [reverse("home"), reverse("report"), reverse("my_reports"), reverse("offline")]


def report_pages():
    from tickets.models import Service

    codes = Service.objects.reportable_by_residents().order_by("code").values_list("code", flat=True)
    return [reverse("report_form", args=[code]) for code in codes]


@require_GET
@cache_control(public=True, max_age=86400)
def manifest(request):
    data = {
        "id": "/",
        "name": "Metepec *7311 — Servicios públicos",
        "short_name": "*7311",
        "description": "Reporte fallas de servicios públicos de Metepec y siga su folio, también sin conexión.",
        "lang": "es-MX",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME,
        "background_color": "#ffffff",
        "categories": ["government", "utilities"],
        "icons": [
            {"src": staticfiles_storage.url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
        "shortcuts": [
            {"name": "Hacer un reporte", "url": reverse("report")},
            {"name": "Mis reportes", "url": reverse("my_reports")},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def _version_of_files():
    """Changes whenever a file the worker keeps changes, so phones fetch the new ones."""
    digest = hashlib.sha256(get_template("pwa/sw.js").template.source.encode())
    for path in SHELL_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
        digest.update(staticfiles_storage.url(path).encode())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request):
    pages = report_pages()
    context = {
        name: json.dumps(value)
        for name, value in {
            "store_js": staticfiles_storage.url("app/store.js"),
            # The report forms are part of what the worker keeps: a new service is a new worker.
            "version": hashlib.sha256((_version_of_files() + "".join(pages)).encode()).hexdigest()[:16],
            "shell_pages": shell_pages(),
            "shell_static": [staticfiles_storage.url(path) for path in SHELL_STATIC],
            "report_pages": pages,
            "offline_page": reverse("offline"),
            "my_reports": reverse("my_reports"),
            "static_prefix": settings.STATIC_URL,
        }.items()
    }
    response = render(request, "pwa/sw.js", context, content_type="application/javascript; charset=utf-8")
    # Browsers check the worker for updates themselves; no cache may keep an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    return render(request, "pwa/offline.html")
