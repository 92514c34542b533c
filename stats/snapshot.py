"""The latest public numbers, as pages read them: cache first, then the newest Snapshot.

Recomputed by Celery beat (stats.tasks.recompute_public_numbers, every
STATS_REFRESH_SECONDS) from the rollups. Reading never touches the tickets table.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from stats import numbers
from stats.models import Snapshot

CACHE_KEY = "stats:snapshot:v1"
# The banner alone: every public page reads it, so it must not drag the whole snapshot along.
BANNER_KEY = "stats:banner:v1"
KEEP = timedelta(days=2)


def recompute(now=None):
    """Compute the all-time statistics and the banner, store and cache them."""
    now = now or timezone.now()
    stats = numbers.statistics()
    data = {"banner": numbers.banner(stats, now), "estadisticas": stats}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            snapshot = Snapshot(pk=_insert_on_postgresql(now, data), computed_at=now, data=data)
        else:
            snapshot = Snapshot.objects.create(computed_at=now, data=data)
        Snapshot.objects.filter(computed_at__lt=now - KEEP).delete()
    cache.set_many({CACHE_KEY: {"computed_at": now.isoformat(), **data}, BANNER_KEY: data["banner"]}, timeout=None)
    return snapshot


def _insert_on_postgresql(now, data):
    """The ~100 kB snapshot row, written the cheap way: the JSON travels as a bound
    parameter (Django's client-side binding would first escape it into the SQL text), and
    the commit does not wait for the disk — losing the newest snapshot in a crash is
    harmless, the next run writes another."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            f"INSERT INTO {Snapshot._meta.db_table} (computed_at, data) VALUES (%s, %s::jsonb) RETURNING id",
            [now, json.dumps(data, cls=DjangoJSONEncoder)],
        )
        return cursor.fetchone()[0]


def latest():
    """The newest numbers as a dict, or None before the first computation.

    Without a broker (development, `make run`) there is no beat to refresh them, so a
    stale snapshot is recomputed here — from the rollups, still no ticket is counted.
    """
    data = cache.get(CACHE_KEY)
    if data is None:
        snapshot = Snapshot.objects.order_by("-computed_at").first()
        if snapshot is not None:
            data = {"computed_at": snapshot.computed_at.isoformat(), **snapshot.data}
            cache.set(CACHE_KEY, data, timeout=None)
    if settings.CELERY_TASK_ALWAYS_EAGER and _stale(data):
        snapshot = recompute()
        data = {"computed_at": snapshot.computed_at.isoformat(), **snapshot.data}
    return data


def _stale(data):
    if data is None:
        return True
    computed = timezone.datetime.fromisoformat(data["computed_at"])
    return timezone.now() - computed > timedelta(seconds=settings.STATS_REFRESH_SECONDS)


def banner():
    """The banner dict, from its own small cache entry."""
    cached = cache.get(BANNER_KEY)
    if cached is not None and not (settings.CELERY_TASK_ALWAYS_EAGER and _stale(cached)):
        return cached
    data = latest()
    if data is None:
        return None
    cache.set(BANNER_KEY, data["banner"], timeout=None)
    return data["banner"]
