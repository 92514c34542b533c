"""Production is checked, not hoped: configurations that look fine and fail later.

These run with every management command (migrate, check --deploy, the Celery worker through
metepec7311/celery.py) and when gunicorn loads the application (metepec7311/wsgi.py), which
refuses to start on any of them.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

LOCAL_STORAGES = ("django.core.files.storage.FileSystemStorage",)


@checks.register()
def redis_in_production(app_configs=None, **kwargs):
    if settings.DEBUG or settings.REDIS_URL:
        return []
    return [
        checks.Error(
            "DEBUG está apagado y no hay REDIS_URL.",
            hint=(
                "Sin Redis, Celery corre dentro del proceso web y sin beat (los tickets vencidos nunca se "
                "marcan, los avisos fallidos no se reintentan), y la caché y los límites de solicitudes son "
                "de cada proceso. Defina REDIS_URL=redis://…"
            ),
            id="metepec7311.E001",
        )
    ]


@checks.register()
def shared_media_with_several_hosts(app_configs=None, **kwargs):
    backend = settings.STORAGES["default"]["BACKEND"]
    if not settings.MULTIPLE_HOSTS or settings.MEDIA_SHARED or backend not in LOCAL_STORAGES:
        return []
    return [
        checks.Error(
            "MULTIPLE_HOSTS dice que varios servidores atienden, pero las fotos se guardan en el disco local.",
            hint=(
                "Una foto subida en un servidor no existiría en los demás. Guarde las fotos en un "
                "bucket compatible con S3 (MEDIA_BUCKET=…), o monte MEDIA_ROOT como disco compartido en todos y "
                "declárelo con MEDIA_SHARED=1."
            ),
            id="metepec7311.E002",
        )
    ]


@checks.register()
def report_rate_limits(app_configs=None, **kwargs):
    from metepec7311 import ratelimits

    wrong = []
    for rate in settings.REPORT_RATE_LIMITS:
        try:
            ratelimits.parse(rate)
        except (KeyError, ValueError, IndexError):
            wrong.append(rate)
    if not wrong:
        return []
    return [
        checks.Error(
            f"REPORT_RATE_LIMITS no se entiende: {', '.join(wrong) or '(vacío)'}.",
            hint="Escriba cada límite como reportes/periodo, separados por comas: 5/10m,20/d (s, m, h o d).",
            id="metepec7311.E003",
        )
    ]


def refuse_to_start_on_errors():
    """For processes that do not run the system checks themselves (gunicorn, Celery)."""
    errors = [message for message in checks.run_checks() if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(f"{error.id}: {error.msg} {error.hint or ''}" for error in errors))
