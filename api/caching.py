"""Answers that are the same for every caller until a ticket changes.

Every ticket change writes a row to the event trail (the lifecycle, imports, the overdue
job), so the newest event id is a version of all tickets: a cached answer is keyed by it and
can never outlive the change that makes it stale. The minute is part of the key too, because
SLA states move with the clock alone (a_tiempo → por_vencer) without any event.

Answers are kept rendered (bytes) in each process's memory (settings.CACHES["answers"]):
a hit costs one index lookup for the version and no serialization.
"""

import hashlib

from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from tickets.models import TicketEvent

TTL = 300  # seconds; entries of an old version are simply never asked for again
VERSION_SQL = f"SELECT id FROM {TicketEvent._meta.db_table} ORDER BY id DESC LIMIT 1"


def tickets_version():
    """(newest event id, current minute): changes as soon as any ticket changes.

    One backward step on the primary key's index; written in SQL because this runs on every
    cached answer and the ORM's query building would cost more than the query.
    """
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return f"{row[0] if row else 0}.{int(timezone.now().timestamp() // 60)}"


def cached(namespace, parts, build):
    """build() → bytes, once per (version, parts) in this process; returns (bytes, etag).

    Rate limits belong in build(): a cached answer costs the server almost nothing, so only
    the requests that make it work are counted.
    """
    store = caches["answers"]
    digest = hashlib.sha256("\x1f".join(str(part) for part in (tickets_version(), *parts)).encode()).hexdigest()
    key = f"{namespace}:{digest[:32]}"
    content = store.get(key)
    if content is None:
        content = build()
        store.set(key, content, TTL)
    return content, f'"{digest[:32]}"'
