"""Cache writes that follow a commit, sent to Redis together.

After a new report commits, two things are told to Redis: the tickets' version is forgotten
(tickets/changes.py) and a drain of the outbox is asked for (tickets/outbox.py). Each was a
round trip of its own, and a round trip costs the web process more than the command: about
0.15 ms of CPU per report under load, in a request that is otherwise a few milliseconds
(docs/performance.md, run I).

`delete_many()` and `add()` do what the cache's methods of those names do, at once, unless a
`one_round_trip()` block is open in this thread: then they wait for the block's end and go
in one pipeline. A report written by one statement with no transaction around it opens such
a block (tickets/lifecycle/report.py): Django runs its commit hooks at once, inside it, and
they are sent together when it closes, after the write.

Whatever happens, the writes are never an error for the request: Redis unreachable is what
the cache itself does (nothing kept; `add` answers None, "nobody knows"), and anything else
is logged and answered the same way.
"""

import logging
import threading
from contextlib import contextmanager

from django.core.cache import caches

from metepec7311.cache import RedisCache

logger = logging.getLogger(__name__)

_open = threading.local()


@contextmanager
def one_round_trip():
    """Send the cache writes asked for inside the block together when it ends (the outer
    block's end, when blocks nest)."""
    if getattr(_open, "queued", None) is not None:
        yield
        return
    _open.queued = []
    try:
        yield
    finally:
        queued, _open.queued = _open.queued, None
        if queued:
            _send(queued)


def delete_many(keys):
    """cache.delete_many(keys)."""
    _ask(("delete_many", list(keys)), None)


def add(key, value, timeout, then):
    """then(cache.add(key, value, timeout)): True when the key was added, False when it was
    there already, None when nobody knows (Redis unreachable)."""
    _ask(("add", key, value, timeout), then)


def _ask(operation, then):
    queued = getattr(_open, "queued", None)
    if queued is None:
        _send([(operation, then)])
    else:
        queued.append((operation, then))


def _send(queued):
    backend = caches["default"]
    operations = [operation for operation, _ in queued]
    try:
        if isinstance(backend, RedisCache) and len(operations) > 1:
            results = backend.together(operations)
        else:
            results = [_one(backend, operation) for operation in operations]
    except Exception:  # the change is committed; a cache write may not turn it into an error
        logger.warning("cache writes after a commit failed", exc_info=True)
        results = None
    for (_, then), result in zip(queued, results or [None] * len(queued), strict=True):
        if then is not None:
            then(result)


def _one(backend, operation):
    name, *arguments = operation
    return getattr(backend, name)(*arguments)
