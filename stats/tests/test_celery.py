"""Celery wiring: the beat schedule, and a real worker process on Redis end to end."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings

from conftest import require_service
from metepec7311.celery import app
from metepec7311.testing.celery_worker import new_queue, start_worker, stop_worker
from stats import snapshot
from stats.models import Snapshot
from stats.tasks import recompute_public_numbers
from tickets import lifecycle
from tickets.models import Service

ROOT = Path(__file__).resolve().parents[2]


def test_beat_recomputes_marks_overdue_reconciles_and_purges():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["stats.tasks.recompute_public_numbers"] == settings.STATS_REFRESH_SECONDS == 300
    assert schedule["tickets.tasks.mark_overdue"] == 300
    assert "stats.tasks.reconcile_rollups" in schedule
    assert "tickets.tasks.purge_pending_photos" in schedule
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks.py
    for task in schedule:
        assert task in app.tasks, f"{task} is not registered"


@pytest.fixture
def worker():
    """A real `celery worker` process on its own queue, using the test database."""
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    queue = new_queue()
    process = start_worker(queue)
    try:
        yield queue
    finally:
        stop_worker(process)


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_ticket_change_reaches_the_banner_through_a_real_worker(client, worker, supervisor, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # pages never recompute: only the worker does
    service = Service.objects.get(code="bacheo")
    lifecycle.ticket_create(service=service, description="Bache", channel="web", address="Calle 1")
    snapshot.recompute()
    before = client.get("/seguimiento/").text
    assert re.search(r"<dt>Tickets totales</dt><dd>1</dd>", before), "the page shows the first numbers"

    ticket = lifecycle.ticket_create(service=service, description="Otro bache", channel="web", address="Calle 1")
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Bache cubierto")
    assert client.get("/api/v1/stats/banner").json()["total"] == 1  # unchanged until the job runs
    started = Snapshot.objects.count()

    result = recompute_public_numbers.apply_async(queue=worker)
    result_id = result.id
    deadline = time.monotonic() + 60
    while Snapshot.objects.count() == started and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Snapshot.objects.count() == started + 1, f"the worker did not run task {result_id}"

    banner = client.get("/api/v1/stats/banner").json()
    assert banner["total"] == 2 and banner["resueltos"] == 1 and banner["en_proceso"] == 1
    assert banner["servicio_mas_demandado"]["code"] == "bacheo"
    assert re.search(r"<dt>Tickets totales</dt><dd>2</dd>", client.get("/seguimiento/").text)
