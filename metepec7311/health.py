"""/healthz: liveness and readiness of the database, the cache and the broker."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _timed(check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as exc:  # every failure is reported, none is raised
        detail, ok = f"{type(exc).__name__}: {exc}", False
    result = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _cache():
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return "redis" if settings.REDIS_URL else "memoria local"


def _broker():
    if not settings.REDIS_URL:
        return "eager (sin broker: las tareas corren en el proceso web)"
    from metepec7311.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "redis"


@never_cache
def healthz(request):
    checks = {"database": _timed(_database), "cache": _timed(_cache), "broker": _timed(_broker)}
    # Only the database makes the portal unusable; a cache or broker outage degrades it.
    status = 200 if checks["database"]["ok"] else 503
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded" if status == 200 else "down", **checks}, status=status
    )
