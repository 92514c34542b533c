"""Answers that are the same for every caller until a ticket changes.

Every ticket change writes a row to the event trail (the lifecycle, imports, the overdue
job), so the newest event id is a version of all tickets (tickets/changes.py): a cached
answer is keyed by it and can never outlive the change that makes it stale. The minute is part of the key too, because
SLA states move with the clock alone (a_tiempo → por_vencer) without any event.

Answers are kept rendered (bytes) in each process's memory (settings.CACHES["answers"]):
a hit costs one index lookup for the version and no serialization.
"""

import hashlib

from django.core.cache import caches
from django.utils import timezone

from tickets import changes

TTL = 300  # seconds; entries of an old version are simply never asked for again


def tickets_version():
    """(newest event id, current minute): changes as soon as any ticket changes."""
    return f"{changes.version()}.{int(timezone.now().timestamp() // 60)}"


def cached(namespace, parts, build, version=tickets_version):
    """build() → bytes, once per (version(), parts) in this process; returns (bytes, etag).
    `version`: the tickets' by default; the catalogue's (tickets/catalogue.py) for answers
    made of services only.

    Rate limits belong in build(): a cached answer costs the server almost nothing, so only
    the requests that make it work are counted.
    """
    store = caches["answers"]
    digest = hashlib.sha256("\x1f".join(str(part) for part in (version(), *parts)).encode()).hexdigest()
    key = f"{namespace}:{digest[:32]}"
    content = store.get(key)
    if content is None:
        content = build()
        store.set(key, content, TTL)
    return content, f'"{digest[:32]}"'
