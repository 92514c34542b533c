"""The Redis cache backend reuses its client objects (metepec7311/cache.py)."""

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
