"""A real `celery worker` process for end-to-end tests, on its own queue and the test
database, that a test can also kill (SIGKILL) as an out-of-memory killer would."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from metepec7311.celery import app

ROOT = Path(__file__).resolve().parents[2]


def database_url():
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def new_queue():
    return f"test-{uuid.uuid4().hex[:8]}"


def start_worker(queue, **env):
    """Start a worker consuming `queue`; returns the process once it answers a ping."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "metepec7311", "worker", "-Q", queue, "--pool", "solo",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
         "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": "worker-test",
            "DEBUG": "0",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    for _ in range(60):
        if app.control.ping(timeout=0.5) or process.poll() is not None:
            break
    if process.poll() is not None:
        raise RuntimeError(f"the worker exited: {process.stdout.read()}")
    return process


def stop_worker(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
