"""Counting through a real Redis: counts wait there while the worker is down and are written
exactly once (a worker killed mid-flush included); a Redis that is down or unreachable never
costs a page view its response."""

import time

import pytest
import redis
from django.conf import settings

from conftest import require_service
from visits import buffer
from visits.models import DailyVisits, FlushedBatch
from visits.tests.conftest import ANDROID_TABLET, CDMX, IPHONE, MORELIA, USA, WINDOWS_CHROME, flush, visit

pytestmark = pytest.mark.django_db

SCRIPT = [
    ("/", IPHONE, CDMX),
    ("/", IPHONE, CDMX),
    ("/reportar/", ANDROID_TABLET, MORELIA),
    ("/noticias/", WINDOWS_CHROME, USA),
]


@pytest.fixture
def visits_redis(own_redis, settings):
    settings.VISITS_REDIS_URL = own_redis.url
    buffer.forget()
    return own_redis


def totals():
    return {(r.day.isoformat(), r.pageviews, r.visitors) for r in DailyVisits.objects.filter(dimension="total")}


def play(client, script=SCRIPT):
    for path, ua, ip in script:
        assert visit(client, path, ua, ip).status_code == 200
    buffer.current().push_now()  # as the next second's request would


def test_counts_wait_in_redis_while_no_worker_runs_and_are_written_once(client, visits_redis):
    store = buffer.current()
    for _ in range(3):  # three "minutes" without a worker
        play(client)
    assert DailyVisits.objects.count() == 0
    pending = store.redis.hgetall("visits:pending")
    assert pending  # waiting in Redis
    # What waits there is counts, not people.
    keys = store.redis.keys("*")
    seen = [m for k in keys if b":seen:" in k for m in store.redis.smembers(k)]
    assert seen and all(len(m.split(b"\t")[0]) == 32 for m in seen)  # hashes only
    everything = b" ".join(list(pending) + keys + seen)
    for secret in (CDMX, MORELIA, USA, IPHONE, "Mozilla"):
        assert secret.encode() not in everything
    assert flush() == 12
    [(day, pageviews, visitors)] = totals()
    assert (pageviews, visitors) == (12, 3)
    assert not store.redis.exists("visits:pending")
    assert flush() == 0  # nothing twice
    assert totals() == {(day, 12, 3)}
    pages = {r.value: (r.pageviews, r.visitors) for r in DailyVisits.objects.filter(dimension="page")}
    assert pages == {"/": (6, 1), "/reportar/": (3, 1), "/noticias/": (3, 1)}


def test_a_worker_killed_after_writing_a_batch_does_not_count_it_twice(client, visits_redis, monkeypatch):
    play(client)
    store = buffer.current()
    real_delete = store.redis.delete
    monkeypatch.setattr(store.redis, "delete", lambda *keys: (_ for _ in ()).throw(SystemExit("killed")))
    with pytest.raises(SystemExit):
        flush()  # written and committed, then killed before the batch left Redis
    assert {(p, v) for _, p, v in totals()} == {(4, 3)}
    assert len(store.batches()) == 1
    monkeypatch.setattr(store.redis, "delete", real_delete)
    play(client, SCRIPT[:1])
    flush()  # the next minute: the old batch is recognised, the new view is added
    assert {(p, v) for _, p, v in totals()} == {(5, 3)}
    assert store.batches() == []
    assert FlushedBatch.objects.count() == 2


def test_a_worker_killed_before_writing_leaves_a_batch_the_next_flush_writes(client, visits_redis):
    play(client)
    store = buffer.current()
    store.redis.rename("visits:pending", "visits:batch:20261207T100000:deadbeef")  # then killed
    assert DailyVisits.objects.count() == 0
    flush()
    assert {(p, v) for _, p, v in totals()} == {(4, 3)}


def test_the_salt_is_shared_by_every_process_and_expires_with_the_day(visits_redis):
    from django.utils import timezone

    today = timezone.localdate()
    one, other = buffer.RedisBuffer(settings.VISITS_REDIS_URL), buffer.RedisBuffer(settings.VISITS_REDIS_URL)
    assert one.salt(today) == other.salt(today)
    ttl = one.redis.ttl(f"visits:salt:{today.isoformat()}")
    assert 0 < ttl <= buffer.end_of_day(today) - time.time() + 1


def test_with_redis_down_pages_answer_and_only_that_moments_counts_are_lost(client, visits_redis, monkeypatch):
    monkeypatch.setattr(buffer, "RETRY_SECONDS", 0)
    play(client)
    flush()
    visits_redis.stop()
    started = time.monotonic()
    for path in ("/", "/reportar/", "/estadisticas/visitas/", "/aviso-de-privacidad/"):
        assert visit(client, path).status_code == 200
    buffer.current().push_now()
    assert time.monotonic() - started < 5
    with pytest.raises(redis.exceptions.ConnectionError):
        flush()  # the task fails (and is retried by beat next minute); nothing is written
    visits_redis.start()  # a new, empty Redis on the same port
    play(client, SCRIPT[:1])
    flush()
    assert {(p, v) for _, p, v in totals()} == {(5, 4)}


def test_an_unreachable_redis_never_costs_a_page(client, settings, db):
    settings.VISITS_REDIS_URL = "redis://127.0.0.1:6390/0"  # nothing listens there
    buffer.forget()
    for _ in range(3):
        assert visit(client, "/").status_code == 200
    buffer.current().push_now()
    assert DailyVisits.objects.count() == 0


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_started_after_an_outage_writes_what_waited(client, settings):
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    from metepec7311.testing.celery_worker import new_queue, start_worker, stop_worker
    from visits.tasks import flush_visits

    settings.VISITS_REDIS_URL = settings.REDIS_URL
    buffer.forget()
    store = buffer.current()
    for key in store.redis.scan_iter("visits:*"):
        store.redis.delete(key)
    play(client)  # no worker: the views wait in Redis
    play(client)
    assert DailyVisits.objects.count() == 0
    queue = new_queue()
    worker = start_worker(queue)
    try:
        flush_visits.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while not DailyVisits.objects.filter(dimension="total").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop_worker(worker)
    assert {(p, v) for _, p, v in totals()} == {(8, 3)}
    assert not store.redis.exists("visits:pending")
