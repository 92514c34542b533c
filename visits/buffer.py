"""Where counts wait between a page view and the daily aggregates.

A page view adds one to the count of its small tuple in its own process (no I/O; a burst
of views of one page by one visitor is one entry). About once a second
(VISITS_PUSH_SECONDS) the request that notices pushes them in one round trip:

- to Redis (REDIS_URL set): one Lua script adds the page views to a hash of pending counts and
  decides, with a set of today's visitor hashes (which expires with the day), which views are
  a visitor's first of the day; a Celery beat task (visits.tasks.flush_visits) moves the hash
  aside under a batch name and writes it to the database, once. While the worker is down the
  counts wait in Redis; when Redis is down the push is dropped (at most a second of counts of
  one process) and nothing waits for it.
- to the process itself (no Redis: the embedded default): the same counts and set, in memory;
  written to the database by the first request a minute after the last write, or by the
  statistics page before it reads (so a visit shows at once in `make run`).

Nothing here keeps an address or a user agent: a pending view is (day, hash or "", page,
referrer, browser, OS, device, country, city).
"""

import abc
import functools
import json
import logging
import secrets
import threading
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from visits.models import DailyVisits, FlushedBatch

logger = logging.getLogger(__name__)

PUSH_SECONDS = 1.0
PUSH_MAX = 500  # views; pushed sooner when this many wait
RETRY_SECONDS = 5  # after Redis failed, it is not tried again for this long
VISITOR_DIMENSIONS = ("browser", "os", "device", "country", "city")

# KEYS[1]: the pending hash. ARGV[1]: the key prefix; ARGV[2]: one JSON object,
#   "p": the page views already added up in the process, {"day\tdimension\tvalue\tp": n};
#   "v": each distinct view that carries a visitor hash, [day, expiry of the day's keys (Unix
#        seconds), hash, page, referrer, browser, os, device, country, city].
# Adding up in the process and one JSON string (rather than 11 arguments and 8 increments a
# view) keep a push cheap for the request that makes it and for Redis: a burst of views of one
# page is a handful of increments. Fields of the pending hash: "day\tdimension\tvalue\tp|v".
RECORD = """
local pending, prefix = KEYS[1], ARGV[1]
local data = cjson.decode(ARGV[2])
for field, n in pairs(data.p) do redis.call('HINCRBY', pending, field, n) end
for _, v in ipairs(data.v) do
  local day, expire_at, h = v[1], tonumber(v[2]), v[3]
  local page, ref = 'page\\t' .. v[4], 'referrer\\t' .. v[5]
  local dims = {'total\\t', 'browser\\t' .. v[6], 'os\\t' .. v[7], 'device\\t' .. v[8],
                'country\\t' .. v[9], 'city\\t' .. v[10]}
  local p = day .. '\\t'
  local seen = prefix .. ':seen:' .. day
  if redis.call('SADD', seen, h) == 1 then
    redis.call('EXPIREAT', seen, expire_at)
    for _, d in ipairs(dims) do redis.call('HINCRBY', pending, p .. d .. '\\tv', 1) end
  end
  if redis.call('SADD', seen, h .. '\\t' .. page) == 1 then redis.call('HINCRBY', pending, p .. page .. '\\tv', 1) end
  if redis.call('SADD', seen, h .. '\\t' .. ref) == 1 then redis.call('HINCRBY', pending, p .. ref .. '\\tv', 1) end
end
return 1
"""


@functools.lru_cache(maxsize=8)
def end_of_day(day):
    """When a day's salt and visitor hashes are destroyed: its midnight, plus a few minutes for
    the views being pushed across it."""
    midnight = datetime.combine(day + timedelta(days=1), clock(0), tzinfo=timezone.get_current_timezone())
    return int(midnight.timestamp()) + 300


_today = [None, 0.0, 0.0]  # the local date, and the Unix seconds between which it holds


def today():
    """timezone.localdate(), without its time-zone lookups on every view (a third of a
    view's cost): the date is kept until its midnight."""
    now = time.time()
    day, start, end = _today
    if start <= now < end:
        return day
    day = timezone.localdate()
    start = datetime.combine(day, clock(0), tzinfo=timezone.get_current_timezone()).timestamp()
    _today[:] = [day, start, end_of_day(day) - 300]
    return day


class Buffer(abc.ABC):
    """The process's views not yet pushed ({view: how many times}), and the day's salt. Where
    they go is the subclass's: Redis (RedisBuffer) or this process (MemoryBuffer)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.views = Counter()
        self.waiting = 0
        self.pushed_at = time.monotonic()
        self.salts = {}  # {day: salt}: only today's is kept

    # --- the day's salt ---

    def salt(self, day):
        salt = self.salts.get(day)
        if salt is None:
            salt = self.shared_salt(day)
            if salt is None:
                return None
            self.salts.clear()  # yesterday's salt is forgotten here too
            self.salts[day] = salt
        return salt

    def shared_salt(self, day):
        return secrets.token_bytes(32)

    # --- views ---

    def add(self, view):
        with self.lock:
            self.views[view] += 1
            self.waiting += 1
            if self.waiting < PUSH_MAX and time.monotonic() - self.pushed_at < PUSH_SECONDS:
                return
            views = self._take()
        self.push(views)

    def push_now(self):
        with self.lock:
            views = self._take()
        if views:
            self.push(views)

    def _take(self):
        views, self.views, self.waiting = self.views, Counter(), 0
        self.pushed_at = time.monotonic()
        return views

    @abc.abstractmethod
    def push(self, views):
        """Send {view: times} on (to Redis, or to this process's counts)."""

    @abc.abstractmethod
    def flush(self):
        """Write what waits to the database; returns the number of page views written."""

    def maybe_flush(self):  # noqa: B027 — a hook: only the buffer without a worker writes here
        """Called after each recorded view: a buffer without a worker writes its counts itself."""


def _fold(counts, seen, view, times):
    """Add a view seen `times` times to {(day, dimension, value): [pageviews, visitors]} (the
    Lua script's rules)."""
    day, _expiry, h, page, ref, browser, system, device, country, city, _ = view
    visitor_dims = [("total", ""), ("browser", browser), ("os", system), ("device", device)]
    visitor_dims += [("country", country), ("city", city)]
    for dimension, value in visitor_dims + [("page", page), ("referrer", ref)]:
        counts.setdefault((day, dimension, value), [0, 0])[0] += times
    if h:
        daily = seen.setdefault(day, set())
        if h not in daily:
            daily.add(h)
            for dimension, value in visitor_dims:
                counts[(day, dimension, value)][1] += 1
        for dimension, value in (("page", page), ("referrer", ref)):
            member = f"{h}\t{dimension}\t{value}"
            if member not in daily:
                daily.add(member)
                counts[(day, dimension, value)][1] += 1


class MemoryBuffer(Buffer):
    """No Redis: counts and today's visitor hashes in this process."""

    def __init__(self):
        super().__init__()
        self.counts = {}
        self.seen = {}
        self.flushed_at = time.monotonic()

    def push(self, views):
        with self.lock:
            for view, times in views.items():
                self.seen = {day: hashes for day, hashes in self.seen.items() if day >= view[0]}
                _fold(self.counts, self.seen, view, times)

    def flush(self):
        self.push_now()
        with self.lock:
            counts, self.counts = self.counts, {}
            self.flushed_at = time.monotonic()
        if counts:
            try:
                write(counts)
            except Exception:
                with self.lock:  # put back: the next flush tries again
                    for key, (views, visitors) in counts.items():
                        row = self.counts.setdefault(key, [0, 0])
                        row[0] += views
                        row[1] += visitors
                raise
        return sum(v[0] for (_, dimension, _), v in counts.items() if dimension == "total")

    def maybe_flush(self):
        if time.monotonic() - self.flushed_at >= settings.VISITS_FLUSH_SECONDS:
            self.flushed_at = time.monotonic()
            try:
                self.flush()
            except Exception:
                logger.exception("visits: writing the counts failed; they wait for the next minute")


class RedisBuffer(Buffer):
    def __init__(self, url, prefix="visits"):
        super().__init__()
        import redis

        self.redis = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.prefix = prefix
        self.pending = f"{prefix}:pending"
        self.script = self.redis.register_script(RECORD)
        self.unreachable_until = 0.0

    def _reachable(self):
        return time.monotonic() >= self.unreachable_until

    def _failed(self, error):
        if self._reachable():
            logger.warning("visits: Redis unreachable (%s); counts of the moment are dropped", type(error).__name__)
        self.unreachable_until = time.monotonic() + RETRY_SECONDS

    def shared_salt(self, day):
        """One salt per day for every process: created by the first, destroyed by Redis at the
        end of the day."""
        if not self._reachable():
            return None
        key = f"{self.prefix}:salt:{day.isoformat()}"
        try:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(key, secrets.token_bytes(32), nx=True, exat=end_of_day(day))
            pipe.get(key)
            return pipe.execute()[1]
        except Exception as error:  # noqa: BLE001 — any failure of Redis: no hash, the page goes on
            self._failed(error)
            return None

    def push(self, views):
        if not self._reachable():
            return
        pageviews = Counter()
        visitors = set()
        for view, times in views.items():
            day, expiry, h, page, ref, browser, system, device, country, city, _ = view
            for dimension, value in (
                ("total", ""),
                ("browser", browser),
                ("os", system),
                ("device", device),
                ("country", country),
                ("city", city),
                ("page", page),
                ("referrer", ref),
            ):
                pageviews[f"{day}\t{dimension}\t{value}\tp"] += times
            if h:
                visitors.add((day, expiry, h, page, ref, browser, system, device, country, city))
        payload = json.dumps({"p": pageviews, "v": list(visitors)})
        try:
            self.script(keys=[self.pending], args=[self.prefix, payload])
        except Exception as error:  # noqa: BLE001
            self._failed(error)

    def batches(self):
        return [key.decode() for key in self.redis.scan_iter(f"{self.prefix}:batch:*", count=100)]

    def flush(self):
        """Move the pending counts aside as a batch, then write every batch (a batch a killed
        worker left behind included) exactly once."""
        self.push_now()
        batch = f"{self.prefix}:batch:{timezone.now():%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:8]}"
        try:
            self.redis.rename(self.pending, batch)
        except Exception as error:  # noqa: BLE001
            if "no such key" not in str(error).lower():
                raise
        written = 0
        for key in sorted(self.batches()):
            raw = self.redis.hgetall(key)
            counts = {}
            for field, amount in raw.items():
                day, dimension, value, kind = field.decode().split("\t")
                row = counts.setdefault((day, dimension, value), [0, 0])
                row[0 if kind == "p" else 1] += int(amount)
            try:
                with transaction.atomic():
                    FlushedBatch.objects.create(key=key)
                    write(counts)
            except IntegrityError:
                pass  # written before: the worker died before deleting it
            else:
                written += sum(v[0] for (_, dimension, _), v in counts.items() if dimension == "total")
            self.redis.delete(key)
        FlushedBatch.objects.filter(written_at__lt=timezone.now() - timedelta(days=2)).delete()
        return written


def write(counts):
    """Add {(day, dimension, value): [pageviews, visitors]} to the daily rows, in one statement
    per 500 rows (INSERT … ON CONFLICT DO UPDATE adding, on PostgreSQL and SQLite alike)."""
    table = DailyVisits._meta.db_table
    rows = [
        (date.fromisoformat(day), dimension, value[:255], p, v) for (day, dimension, value), (p, v) in counts.items()
    ]
    sql = (
        f"INSERT INTO {table} (day, dimension, value, pageviews, visitors) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (day, dimension, value) DO UPDATE SET "
        f"pageviews = {table}.pageviews + excluded.pageviews, visitors = {table}.visitors + excluded.visitors"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            cursor.executemany(sql, rows[start : start + 500])


_buffer = []


def current():
    """This process's buffer, for the configured store (made again when the settings change,
    as tests do)."""
    url = settings.VISITS_REDIS_URL
    if _buffer and _buffer[0][0] == url:
        return _buffer[0][1]
    buffer = RedisBuffer(url) if url else MemoryBuffer()
    _buffer[:] = [(url, buffer)]
    return buffer


def forget():
    """Tests: a new process."""
    _buffer.clear()
    _today[:] = [None, 0.0, 0.0]
