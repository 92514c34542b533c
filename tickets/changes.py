"""A version of all tickets, for answers cached until any ticket changes (api/caching.py).

Every change of a ticket writes a row to the event trail, so the newest event id is the
version. Reading it from the database on every cached answer would cost a round trip; it is
kept in the shared cache instead and forgotten whenever an event is written (a signal for the
ORM's saves, an explicit call after bulk inserts): the next reader looks it up again. The
minute it lives in the cache bounds the staleness if a forget were ever lost.
"""

from django.core.cache import cache
from django.db import connection, transaction

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


def changed():
    """A ticket changed: forget the version once the change is committed (before that, other
    readers cannot see it anyway)."""
    transaction.on_commit(lambda: cache.delete(KEY))
