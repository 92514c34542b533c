"""The Redis cache backend reuses its client objects (metepec7311/cache.py)."""

import pytest
from django.conf import settings
from django.core.cache import caches

from conftest import require_service


def test_the_redis_client_is_built_once_and_still_works():
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    cache = caches["default"]
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    cache.set("probe", {"tickets": 3})
    assert cache.get("probe") == {"tickets": 3}
    cache.delete("probe")
    assert cache.get("probe") is None


def test_incr_is_one_atomic_step_that_never_revives_an_expired_counter():
    # django-ratelimit counts every limited request with add() then incr(). Django's own
    # incr (EXISTS, then INCRBY) recreated a counter that expired in between with no expiry,
    # refusing that client for good; ours increments only a key that exists.
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    cache = caches["default"]
    cache.delete("hits")
    with pytest.raises(ValueError):
        cache.incr("hits")
    assert cache.get("hits") is None  # not created by the failed increment
    assert cache.add("hits", 1, 60)
    assert cache.incr("hits") == 2
    assert cache.incr("hits", 5) == 7
    assert cache.get("hits") == 7
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("hits")) <= 60  # its expiry kept
    cache.delete("hits")
