"""Settings are safe by default: DEBUG off and a secret key required in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")}
    return subprocess.run(
        [sys.executable, "-c", "import metepec7311.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_without_a_secret_key_production_refuses_to_start():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_debug_defaults_to_off_and_the_database_to_sqlite():
    result = load_settings(SECRET_KEY="x" * 50)
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_development_needs_nothing():
    assert load_settings(DEBUG="1").returncode == 0


@pytest.mark.parametrize("value", ["maybe", "2", "si"])
def test_ambiguous_yes_no_values_are_refused(value):
    result = load_settings(DEBUG=value)
    assert result.returncode != 0 and "DEBUG must be a yes/no value" in result.stderr


def test_postgres_from_database_url():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x")
    assert result.stdout.split()[1] == "django.db.backends.postgresql"
