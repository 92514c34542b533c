"""The latest public numbers, as pages read them: cache first, then the newest Snapshot.

Recomputed by Celery beat (stats.tasks.recompute_public_numbers, every
STATS_REFRESH_SECONDS) from the rollups. Reading never touches the tickets table.
"""

import json
import time
import zlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from stats import numbers, rollups
from stats.models import Snapshot

CACHE_KEY = "stats:snapshot:v1"
# The banner alone: every public page reads it, so it must not drag the whole snapshot along.
BANNER_KEY = "stats:banner:v1"
KEEP = timedelta(days=2)


def recompute(now=None):
    """Fold pending changes, compute the all-time statistics and the banner, store and cache
    them."""
    now = now or timezone.now()
    rollups.fold_all()
    stats = numbers.statistics()
    data = {"banner": numbers.banner(stats, now), "estadisticas": stats}
    packed = zlib.compress(json.dumps(stats, cls=DjangoJSONEncoder).encode(), 1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Losing the newest snapshot in a crash is harmless (the next run writes
            # another), so this commit need not wait for the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        snapshot = Snapshot.objects.create(computed_at=now, data={"banner": data["banner"]}, statistics=packed)
        Snapshot.objects.filter(computed_at__lt=now - KEEP).delete()
    cache.set_many({CACHE_KEY: {"computed_at": now.isoformat(), **data}, BANNER_KEY: data["banner"]}, timeout=None)
    _stamp["value"], _stamp["until"] = data["banner"]["computed_at"], time.monotonic() + STAMP_SECONDS
    return snapshot


def latest():
    """The newest numbers as a dict, or None before the first computation.

    Without a broker (development, `make run`) there is no beat to refresh them, so a
    stale snapshot is recomputed here — from the rollups, still no ticket is counted.
    """
    data = cache.get(CACHE_KEY)
    if data is None:
        snapshot = Snapshot.objects.order_by("-computed_at").first()
        if snapshot is not None:
            data = _as_dict(snapshot)
            cache.set(CACHE_KEY, data, timeout=None)
    if settings.CELERY_TASK_ALWAYS_EAGER and _stale(data):
        data = _as_dict(recompute())
    return data


def _as_dict(snapshot):
    return {
        "computed_at": snapshot.computed_at.isoformat(),
        "banner": snapshot.data["banner"],
        "estadisticas": snapshot.statistics_data(),
    }


def _stale(data):
    if data is None:
        return True
    computed = timezone.datetime.fromisoformat(data["computed_at"])
    return timezone.now() - computed > timedelta(seconds=settings.STATS_REFRESH_SECONDS)


# Each process checks which snapshot is the newest at most once a second: pages kept whole
# (metepec7311/pagecache.py) then cost no round trip at all, and show a new snapshot within a
# second (at once in the process that took it).
STAMP_SECONDS = 1.0
_stamp = {"value": None, "until": 0.0}


def stamp():
    """The newest snapshot's `computed_at`, or None before the first one."""
    now = time.monotonic()
    # Without a broker, reading may recompute a stale snapshot (latest()): never memoised there.
    memoised = not settings.CELERY_TASK_ALWAYS_EAGER
    if memoised and _stamp["value"] is not None and now < _stamp["until"]:
        return _stamp["value"]
    current = banner()
    _stamp["value"] = current["computed_at"] if current else None
    _stamp["until"] = now + STAMP_SECONDS
    return _stamp["value"]


def banner(cached=None):
    """The banner dict, from its own small cache entry (`cached`: that entry, already read
    together with other keys)."""
    cached = cached if cached is not None else cache.get(BANNER_KEY)
    if cached is not None and not (settings.CELERY_TASK_ALWAYS_EAGER and _stale(cached)):
        return cached
    data = latest()
    if data is None:
        return None
    cache.set(BANNER_KEY, data["banner"], timeout=None)
    return data["banner"]
