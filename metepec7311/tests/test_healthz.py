"""/healthz reports the database, the cache and the broker; 503 when the database is down."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["degraded"] == []
    assert body["database"]["ok"] and body["cache"]["ok"] and body["broker"]["ok"]
    assert body["database"]["detail"] == connection.vendor
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_database_down_answers_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')

    monkeypatch.setattr("metepec7311.health._database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down" and body["degraded"] == ["database"]
    assert body["database"] == {"ok": False, "ms": body["database"]["ms"], "detail": "no responde"}
    assert "db.internal" not in response.text and "10.0.0.5" not in response.text


@pytest.mark.django_db
def test_cache_down_is_degraded_but_serving(client, monkeypatch):
    cache = caches["default"]
    monkeypatch.setattr(cache, "set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("no")))
    monkeypatch.setattr(cache, "_cache", None)  # with REDIS_URL, the ping fails too
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["degraded"] == ["cache"] and not body["cache"]["ok"]


@pytest.mark.django_db
def test_broker_down_is_reported(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setattr("metepec7311.celery.app.conf.broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
