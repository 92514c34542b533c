"""Answers that are the same for every caller until a ticket changes.

Every ticket change writes a row to the event trail (the lifecycle, imports, the overdue
job), so the newest event id is a version of all tickets: a cached list is keyed by it and
can never outlive the change that makes it stale. The minute is part of the key too, because
SLA states move with the clock alone (a_tiempo → por_vencer) without any event.
"""

import hashlib

from django.core.cache import cache
from django.utils import timezone

from tickets.models import TicketEvent

TTL = 300  # seconds; entries of an old version simply expire


def tickets_version():
    """(newest event id, current minute): changes as soon as any ticket changes."""
    newest = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"{newest}.{int(timezone.now().timestamp() // 60)}"


def key_for(namespace, *parts):
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"{namespace}:{digest}"


def cached(namespace, parts, build):
    """build() once per (version, parts); returns (value, etag)."""
    version = tickets_version()
    key = key_for(namespace, version, *parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TTL)
    return value, f'"{key.split(":", 1)[1]}"'
