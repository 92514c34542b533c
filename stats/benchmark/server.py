"""The benchmark's server: gunicorn as the README runs it in production, on a free port,
with the bench settings (the project plus the reference views of stats/benchmark/urls.py)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BenchServer:
    """`with BenchServer(stdout) as base:` gives the base URL of a running gunicorn."""

    def __init__(self, stdout=None, workers=None, env=None):
        self.stdout = stdout
        self.workers = str(workers or os.cpu_count() or 2)
        self.env = env or {}  # on top of the bench settings (VISITS_ENABLED=0: a second server)

    def __enter__(self):
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stats.benchmark.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "STATIC_MANIFEST": "0",
            **self.env,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "stats.benchmark.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                self.workers,
                # gthread, as recommended for production (README): a sync worker is killed by
                # its timeout in the middle of a long export.
                "-k",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/constant", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise CommandError("gunicorn did not start")
        urllib.request.urlopen(f"{base}/", timeout=10).read()  # warm the snapshot cache
        if self.stdout:
            self.stdout.write(f"gunicorn con {self.workers} procesos en {base}")
        return base

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
