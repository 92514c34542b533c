"""Django's Redis cache backend, minus two needless costs.

Django's RedisCacheClient builds a new `redis.Redis` object for every get or set; with
redis-py 5+ that means re-registering ~170 response callbacks each time, about 0.3 ms —
more than the round trip to Redis itself, and the banner on every page does several. The
client objects are thread-safe wrappers around a shared connection pool, so one per pool
is kept and reused.

Its `incr` (every rate-limited request calls it) is EXISTS then INCRBY: two round trips,
and a counter that expires between them is created again by INCRBY with no expiry, which
would refuse that key for good. Here it is one atomic script.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


def cache_public_page(seconds):
    """cache_page in each process's memory (CACHES["pages"]) for visitors who carry nothing
    personal: a request with a pending flash message (its cookie, or a session that may hold
    one) is rendered for that visitor alone, so no one's message is ever served to others."""
    from functools import wraps

    from django.conf import settings
    from django.views.decorators.cache import cache_page

    def decorator(view):
        cached = cache_page(seconds, cache="pages")(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            personal = "messages" in request.COOKIES or settings.SESSION_COOKIE_NAME in request.COOKIES
            return (view if personal else cached)(request, *args, **kwargs)

        return wrapper

    return decorator
