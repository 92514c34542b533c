"""A version of all tickets, for answers cached until any ticket changes (api/caching.py).

Every change of a ticket writes a row to the event trail, so the newest event id is the
version. Reading it from the database on every cached answer would cost a round trip; it is
kept in the shared cache instead and forgotten whenever an event is written (a signal for the
ORM's saves, an explicit call after bulk inserts): the next reader looks it up again. The
minute it lives in the cache bounds the staleness if a forget were ever lost.

Each ticket also has a token of its own, for its public page cached whole: deleted with the
version when that ticket changes.
"""

import time
import uuid

from django.core.cache import cache
from django.db import connection, transaction

from metepec7311 import cache_batch
from tickets.models import TicketEvent

KEY = "tickets:version"
SECONDS = 60
NEWEST_SQL = f"SELECT id FROM {TicketEvent._meta.db_table} ORDER BY id DESC LIMIT 1"


def version():
    """The newest event id (0 before the first ticket)."""
    current = cache.get(KEY)
    if current is None:
        with connection.cursor() as cursor:
            cursor.execute(NEWEST_SQL)  # one backward step on the primary key
            row = cursor.fetchone()
        current = row[0] if row else 0
        cache.set(KEY, current, SECONDS)
    return current


# The version as one process last read it, for pages kept whole (the public map): asked of the
# shared cache at most every TOKEN_SECONDS, forgotten at once by this process's own changes.
_memo = {"version": None, "until": 0.0}


def recent_version():
    """version(), read again at most once a second per process (a change made here at once)."""
    now = time.monotonic()
    if _memo["version"] is not None and now < _memo["until"]:
        return _memo["version"]
    current = version()
    _memo.update(version=current, until=now + TOKEN_SECONDS)
    return current


def ticket_key(ticket_id):
    """The shared cache's token for one ticket's rendered page (metepec7311/pagecache.py)."""
    return f"tickets:page:{ticket_id}"


# Each process remembers the tokens it read for a second: a kept page then costs no round trip
# at all. A change shows at once in the process that made it (its memo is dropped with the
# token) and within TOKEN_SECONDS in every other one.
TOKEN_SECONDS = 1.0
_tokens = {}  # ticket id → (token, monotonic deadline)


def page_tokens(ticket_ids):
    """{ticket id: token}, drawing a new token for a ticket that has none; None when the
    shared cache cannot vouch for them (unreachable)."""
    now = time.monotonic()
    tokens, missing = {}, []
    for pk in ticket_ids:
        memo = _tokens.get(pk)
        if memo is not None and now < memo[1]:
            tokens[pk] = memo[0]
        else:
            missing.append(pk)
    found = cache.get_many([ticket_key(pk) for pk in missing]) if missing else {}
    for pk in missing:
        token = found.get(ticket_key(pk))
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(ticket_key(pk), token, None):
                token = cache.get(ticket_key(pk))
            if token is None:
                return None
        tokens[pk] = token
        _tokens[pk] = (token, now + TOKEN_SECONDS)
    if len(_tokens) > 10_000:  # old entries of tickets nobody reads any more
        _tokens.clear()
    return tokens


def changed(ticket_id=None):
    """A ticket changed: forget the version, and that ticket's page token, once the change is
    committed (before that, other readers cannot see it anyway). The page token is also
    forgotten at once, for a page read later in this same transaction."""
    keys = [KEY] if ticket_id is None else [KEY, ticket_key(ticket_id)]
    _memo["until"] = 0.0
    if ticket_id is not None:
        _tokens.pop(ticket_id, None)
        cache.delete(ticket_key(ticket_id))

    def forget():
        _memo["until"] = 0.0
        if ticket_id is not None:
            _tokens.pop(ticket_id, None)
        cache_batch.delete_many(keys)  # with the report's other writes (metepec7311/cache_batch.py)

    transaction.on_commit(forget)
