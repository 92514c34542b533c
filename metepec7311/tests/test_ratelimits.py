"""Limits of several windows counted in one round trip (metepec7311/ratelimits.py)."""

from datetime import timedelta

import pytest
import redis

from metepec7311 import ratelimits

RATES = ["2/10m", "3/d"]


def test_rates_are_read_as_django_ratelimit_writes_them():
    assert ratelimits.parse("5/10m") == (5, 600)
    assert ratelimits.parse("20/d") == (20, 86_400)
    assert ratelimits.parse("100/h") == (100, 3_600)
    assert ratelimits.parse("1000000000/m") == (1_000_000_000, 60)


def _limits_hold(frozen):
    """Both windows, each over its limit only past it; a count given back; the short window
    starting again after its period and the day's not."""
    assert [ratelimits.hit("report", "201.141.1.1", RATES) for _ in range(3)] == [False, False, True]
    assert ratelimits.hit("report", "10.0.0.9", RATES) is False, "each address has its own counts"
    ratelimits.give_back("report", "201.141.1.1", RATES)
    assert ratelimits.hit("report", "201.141.1.1", RATES) is True  # 3 again in ten minutes
    frozen.shift(timedelta(minutes=10))
    assert ratelimits.hit("report", "201.141.1.1", RATES) is True  # the day's fourth
    ratelimits.give_back("report", "201.141.1.1", RATES)
    ratelimits.give_back("report", "201.141.1.1", RATES)
    assert ratelimits.hit("report", "201.141.1.1", RATES) is False  # the day's third, the 10 min's second


def test_limits_in_the_embedded_memory_cache(db, frozen, settings):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _limits_hold(frozen)


def test_limits_in_redis_take_one_round_trip_for_every_window(own_redis, frozen, monkeypatch):
    sent = []
    execute = redis.client.Pipeline.execute
    monkeypatch.setattr(
        redis.client.Pipeline, "execute", lambda self, *a, **k: sent.append(1) or execute(self, *a, **k)
    )
    commands = []
    single = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis, "execute_command", lambda self, *a, **k: commands.append(a) or single(self, *a, **k)
    )
    _limits_hold(frozen)
    assert len(sent) == 10 and commands == []  # 7 hits and 3 counts given back, one pipeline each


@pytest.mark.django_db
def test_with_redis_down_nothing_is_limited_and_nothing_fails(own_redis, frozen):
    assert [ratelimits.hit("report", "201.141.1.1", ["1/10m"]) for _ in range(2)] == [False, True]
    own_redis.stop()
    assert [ratelimits.hit("report", "201.141.1.1", ["1/10m"]) for _ in range(3)] == [False] * 3
    ratelimits.give_back("report", "201.141.1.1", ["1/10m"])  # no error either
