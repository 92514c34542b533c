"""Production refuses to start misconfigured (metepec7311/checks.py): through manage.py,
gunicorn's WSGI module and Celery, with the message saying what to set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "7311.metepec.gob.mx"}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "MULTIPLE_HOSTS", "MEDIA_SHARED")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **PRODUCTION, **env}, capture_output=True, text=True
    )


def test_production_without_redis_refuses_to_start():
    result = run(["manage.py", "check"])
    assert result.returncode != 0
    assert "metepec7311.E001" in result.stderr and "REDIS_URL" in result.stderr


def test_gunicorns_wsgi_module_refuses_too():
    result = run(["-c", "import metepec7311.wsgi"])
    assert result.returncode != 0 and "metepec7311.E001" in result.stderr


def test_with_redis_it_starts():
    assert run(["manage.py", "check"], REDIS_URL="redis://127.0.0.1:6379/0").returncode == 0
    assert run(["-c", "import metepec7311.wsgi"], REDIS_URL="redis://127.0.0.1:6379/0").returncode == 0


def test_development_needs_no_redis():
    assert run(["manage.py", "check"], DEBUG="1").returncode == 0


def test_several_hosts_with_photos_on_a_local_disk_refuse_to_start():
    with_redis = {"REDIS_URL": "redis://127.0.0.1:6379/0", "MULTIPLE_HOSTS": "1"}
    result = run(["manage.py", "check"], **with_redis)
    assert result.returncode != 0 and "metepec7311.E002" in result.stderr
    assert run(["manage.py", "check"], **with_redis, MEDIA_SHARED="1").returncode == 0  # a shared mount


def test_report_rate_limits_that_cannot_be_read_refuse_to_start():
    """A limit the counter cannot read would fail every report (metepec7311/ratelimits.py)."""
    result = run(["manage.py", "check"], DEBUG="1", REPORT_RATE_LIMITS="5/10m,20 per day")
    assert result.returncode != 0 and "metepec7311.E003" in result.stderr and "20 per day" in result.stderr
    assert run(["manage.py", "check"], DEBUG="1", REPORT_RATE_LIMITS="5/10m, 20/d").returncode == 0
