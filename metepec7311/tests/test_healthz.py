"""/healthz reports the database, the cache and the broker; 503 when the database is down."""

import pytest
from django.db import connection
from django.db.utils import OperationalError


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"] and body["broker"]["ok"]
    assert body["database"]["detail"] == connection.vendor
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_database_down_answers_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("metepec7311.health._database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert "could not connect" in body["database"]["detail"]


@pytest.mark.django_db
def test_cache_down_is_degraded_but_serving(client, monkeypatch):
    monkeypatch.setattr("metepec7311.health.cache.set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("no")))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and not response.json()["cache"]["ok"]


@pytest.mark.django_db
def test_broker_down_is_reported(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    monkeypatch.setattr("metepec7311.celery.app.conf.broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"]["ok"] is False
