"""Cache writes after a commit, sent together (metepec7311/cache_batch.py): on Redis in one
pipeline, on any cache with the same results as the cache's own methods, and never an error
for the request that asked."""

import pytest
from django.conf import settings
from django.core.cache import caches

from conftest import require_service
from metepec7311 import cache_batch
from metepec7311.cache import RedisCache


@pytest.fixture
def pipelines(monkeypatch):
    """The operations of each pipeline sent to Redis."""
    sent = []
    together = RedisCache.together

    def counted(self, operations):
        sent.append([operation[0] for operation in operations])
        return together(self, operations)

    monkeypatch.setattr(RedisCache, "together", counted)
    return sent


def test_writes_in_a_block_are_sent_together_at_its_end_on_redis(pipelines):
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    cache = caches["default"]
    cache.set("batch:version", 41)
    cache.delete("batch:flag")
    heard = []
    with cache_batch.one_round_trip():
        cache_batch.delete_many(["batch:version", "batch:other"])
        cache_batch.add("batch:flag", 1, 10, then=heard.append)
        cache_batch.add("batch:flag", 2, 10, then=heard.append)
        assert cache.get("batch:version") == 41 and heard == []  # nothing sent yet
    assert pipelines == [["delete_many", "add", "add"]]  # one round trip
    assert heard == [True, False]  # as cache.add answers: added, then already there
    assert cache.get("batch:version") is None and cache.get("batch:flag") == 1
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("batch:flag")) <= 10
    cache.delete("batch:flag")


def test_outside_a_block_each_write_is_done_at_once(pipelines):
    cache = caches["default"]  # Redis in CI, the process's memory on a bare machine
    cache.set("batch:version", 41)
    cache.delete("batch:flag")
    heard = []
    cache_batch.delete_many(["batch:version"])
    assert cache.get("batch:version") is None
    cache_batch.add("batch:flag", 1, 10, then=heard.append)
    cache_batch.add("batch:flag", 1, 10, then=heard.append)
    assert heard == [True, False] and pipelines == []
    with cache_batch.one_round_trip(), cache_batch.one_round_trip():  # nested: the outer one sends
        cache_batch.add("batch:other", 1, 10, then=heard.append)
        assert heard == [True, False]
    assert heard == [True, False, True]
    cache.delete_many(["batch:flag", "batch:other"])


@pytest.mark.django_db
def test_with_redis_down_the_writes_answer_nobody_knows(own_redis, pipelines):
    own_redis.stop()
    heard = []
    with cache_batch.one_round_trip():
        cache_batch.delete_many(["batch:version"])
        cache_batch.add("batch:flag", 1, 10, then=heard.append)
    assert pipelines == [["delete_many", "add"]]
    assert heard == [None]  # the outbox then asks for a drain anyway


def test_a_failure_is_logged_and_answered_nobody_knows(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("the cache answered something unexpected")

    backend = caches["default"]
    monkeypatch.setattr(type(backend), "together" if isinstance(backend, RedisCache) else "add", broken)
    monkeypatch.setattr(type(backend), "delete_many", broken)
    heard = []
    with cache_batch.one_round_trip():
        cache_batch.delete_many(["batch:version"])
        cache_batch.add("batch:flag", 1, 10, then=heard.append)
    assert heard == [None]
    assert "cache writes after a commit failed" in caplog.text
