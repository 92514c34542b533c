from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.static import serve

from metepec7311 import health, views

admin.site.site_header = "Metepec *7311 · Gerencia de la Ciudad"
admin.site.site_title = "Metepec *7311"
admin.site.index_title = "Atención de reportes"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("aviso-de-privacidad/", views.PrivacyView.as_view(), name="privacy"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Uploaded photos in development; production serves media from its storage.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
