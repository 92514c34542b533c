"""Celery wiring: the beat schedule, and a real worker process on Redis end to end."""

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import require_service
from metepec7311.celery import app
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


def _database_url():
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def worker():
    """A real `celery worker` process on its own queue, using the test database."""
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "worker-test",
        "DEBUG": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "metepec7311",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        replies = None
        for _ in range(60):
            replies = app.control.ping(timeout=0.5, destination=None)
            if replies or process.poll() is not None:
                break
        assert process.poll() is None, process.stdout.read()
        assert replies, "the worker never answered a ping"
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


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
