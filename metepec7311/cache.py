"""Django's Redis cache backend, minus two needless costs, and one that survives Redis.

Django's RedisCacheClient builds a new `redis.Redis` object for every get or set; with
redis-py 5+ that means re-registering ~170 response callbacks each time, about 0.3 ms —
more than the round trip to Redis itself, and the banner on every page does several. The
client objects are thread-safe wrappers around a shared connection pool, so one per pool
is kept and reused.

Its `incr` (every rate-limited request calls it) is EXISTS then INCRBY: two round trips,
and a counter that expires between them is created again by INCRBY with no expiry, which
would refuse that key for good. Here it is one atomic script.

When Redis cannot be reached, every page must still work (docs/reliability.md): the cache
then behaves as an empty one that keeps nothing (a read misses, a write is dropped, an
increment fails, which django-ratelimit treats as "do not limit", RATELIMIT_FAIL_OPEN), and
everything that reads it falls back to the database. After a failure Redis is not tried
again for RETRY_SECONDS, so a page that reads the cache ten times does not wait for ten
timeouts; the first operation after that tries again.
"""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


# INCRBY only a key that exists (Django's contract: incr of a missing key is an error).
INCR_EXISTING = "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"


def _unless_unreachable(fallback):
    """Run the operation, or give `fallback(*args, **kwargs)` while Redis is unreachable."""

    def decorator(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self.unreachable_until:
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except UNREACHABLE as error:
                if not self.unreachable_until:
                    logger.warning("Redis unreachable (%s): the cache is bypassed", type(error).__name__)
                self.unreachable_until = time.monotonic() + RETRY_SECONDS
                return fallback(*args, **kwargs)
            if self.unreachable_until:
                logger.warning("Redis reachable again: the cache is used")
                self.unreachable_until = 0.0
            return result

        return wrapper

    return decorator


def _missing(key, default=None, version=None):
    return default


def _not_counted(key, delta=1, version=None):
    raise ValueError(f"Key '{key}' not found (the cache is unreachable).")


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _none_kept(data, *args, **kwargs):
    return list(data)  # set_many: the keys that were not stored


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self.unreachable_until = 0.0  # monotonic time; 0 while Redis answers

    get = _unless_unreachable(_missing)(DjangoRedisCache.get)
    get_many = _unless_unreachable(lambda keys, version=None: {})(DjangoRedisCache.get_many)
    has_key = _unless_unreachable(_false)(DjangoRedisCache.has_key)
    # None, not False: nobody knows whether the key is there (outbox.kick tells them apart).
    add = _unless_unreachable(_nothing)(DjangoRedisCache.add)
    set = _unless_unreachable(_nothing)(DjangoRedisCache.set)
    set_many = _unless_unreachable(_none_kept)(DjangoRedisCache.set_many)
    touch = _unless_unreachable(_false)(DjangoRedisCache.touch)
    delete = _unless_unreachable(_false)(DjangoRedisCache.delete)
    delete_many = _unless_unreachable(_nothing)(DjangoRedisCache.delete_many)
    incr = _unless_unreachable(_not_counted)(DjangoRedisCache.incr)

    @_unless_unreachable(lambda windows, delta: [None] * len(windows))
    def count(self, windows, delta):
        """Add `delta` to each window's counter, (key, seconds) pairs, in one pipeline: INCRBY,
        then EXPIRE. The counts, or None for each while Redis is unreachable
        (metepec7311/ratelimits.py)."""
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        for key, seconds in windows:
            full_key = self.make_and_validate_key(key)
            pipeline.incrby(full_key, delta)
            pipeline.expire(full_key, seconds + 1)
        return pipeline.execute()[::2]

    clear = _unless_unreachable(_false)(DjangoRedisCache.clear)

    @_unless_unreachable(lambda operations: None)
    def together(self, operations):
        """Run ("delete_many", keys) and ("add", key, value, timeout) operations, as those
        methods do, in one pipeline (metepec7311/cache_batch.py): their results in order, or
        None while Redis is unreachable."""
        pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
        for name, *arguments in operations:
            if name == "delete_many":
                pipeline.delete(*[self.make_and_validate_key(key) for key in arguments[0]])
            elif name == "add" and arguments[2]:  # a timeout of 0 means "expire at once": not batched
                key, value, timeout = arguments
                key, value = self.make_and_validate_key(key), self._cache._serializer.dumps(value)
                pipeline.set(key, value, ex=self.get_backend_timeout(timeout), nx=True)
            else:
                raise ValueError(f"not a batched cache operation: {name} {arguments!r}")
        return [bool(result) if name == "add" else result for (name, *_), result in
                zip(operations, pipeline.execute(), strict=True)]  # fmt: skip


def cache_public_page(seconds):
    """cache_page in each process's memory (CACHES["pages"]) for visitors who carry nothing
    personal: a request with a pending flash message (its cookie, or a session that may hold
    one) is rendered for that visitor alone, so no one's message is ever served to others."""
    from functools import wraps

    from django.views.decorators.cache import cache_page

    from metepec7311 import pagecache  # the one rule of who may share a kept page

    def decorator(view):
        cached = cache_page(seconds, cache="pages")(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            return (view if pagecache.personal(request) else cached)(request, *args, **kwargs)

        return wrapper

    return decorator
