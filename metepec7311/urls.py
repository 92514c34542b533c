from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import Http404
from django.urls import include, path
from django.views.static import serve

from metepec7311 import health, pwa, views
from metepec7311.cache import cache_public_page
from news.sitemaps import ArticleSitemap, MainPagesSitemap

SITEMAPS = {"paginas": MainPagesSitemap, "noticias": ArticleSitemap}

urlpatterns = [
    # The busiest page: whole responses cached for a minute in each process (the numbers
    # change every five minutes; settings.CACHES["pages"]).
    path("", cache_public_page(60)(views.HomeView.as_view()), name="home"),
    path("aviso-de-privacidad/", views.PrivacyView.as_view(), name="privacy"),
    path("healthz", health.healthz, name="healthz"),
    # The residents' app: at the root, so the worker's scope is the whole site (docs/app.md).
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("sin-conexion/", pwa.offline, name="offline"),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),  # early: the busiest machine-read URLs resolve first
    path("", include("tickets.urls")),
    path("", include("stats.urls")),
    path("", include("news.urls")),
    path("", include("surveys.urls")),
    path("", include("alerts.urls")),
    path("", include("visits.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]


def media(request, path):
    """Uploaded photos, when SERVE_MEDIA is on (read per request, so tests can turn it on)."""
    if not settings.SERVE_MEDIA:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response


urlpatterns.append(path("media/<path:path>", media))
