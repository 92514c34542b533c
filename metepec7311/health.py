"""/healthz: liveness and readiness of the database, the cache and the broker.

For a load balancer: 200 while the portal can serve (the database answers), 503 when it
cannot; `status` is "ok", "degraded" (serving, with the parts listed in `degraded` down) or
"down". The page is public, so a failure says only which part failed: the exception, which
may name hosts and users, goes to the log.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _timed(name, check):
    started = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception:  # every failure is reported, none is raised
        logger.warning("healthz: %s check failed", name, exc_info=True)
        detail, ok = "no responde", False
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
    cache = caches["default"]
    if settings.REDIS_URL:
        # Redis itself, not the cache's wrapper, which hides an outage (metepec7311/cache.py).
        cache._cache.get_client(write=True).ping()
        return "redis"
    key, value = f"healthz:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return "memoria local"


def _broker():
    if not settings.REDIS_URL:
        return "eager (sin broker: las tareas corren en el proceso web)"
    from metepec7311.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "redis"


@never_cache
def healthz(request):
    checks = {
        name: _timed(name, check) for name, check in (("database", _database), ("cache", _cache), ("broker", _broker))
    }
    # Only the database makes the portal unusable; a cache or broker outage degrades it.
    status = 200 if checks["database"]["ok"] else 503
    degraded = [name for name, check in checks.items() if not check["ok"]]
    return JsonResponse(
        {
            "status": "down" if status == 503 else "degraded" if degraded else "ok",
            "degraded": degraded,
            **checks,
        },
        status=status,
    )
