"""With Redis gone, the portal keeps serving (docs/reliability.md): tested by killing a
redis-server of the test's own, not by pretending."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from conftest import PUBLIC_PAGES
from metepec7311 import cache as resilient
from stats import snapshot
from tickets.models import Colonia, Ticket

# The public pages and the machine-read answers every app and press script polls.
SERVED = [*PUBLIC_PAGES, "/api/v1/stats/banner", "/open311/v2/requests.json"]


@pytest.fixture
def redis_down(own_redis, client, make_ticket):
    make_ticket("alumbrado", description="Luminaria apagada en la esquina.")
    snapshot.recompute()  # the public numbers as the worker last computed them
    client.get("/")  # the portal has used this Redis before it dies
    own_redis.stop()
    return own_redis


@pytest.mark.django_db
@pytest.mark.parametrize("url", SERVED)
def test_every_public_page_is_served_with_redis_down(redis_down, client, url):
    response = client.get(url)
    assert response.status_code == 200, url


@pytest.mark.django_db
def test_a_resident_files_a_report_and_sees_the_folio_with_redis_down(redis_down, client):
    colonia = Colonia.objects.get(name="Coaxustenco")
    response = client.post(
        reverse("report_form", args=["bacheo"]),
        {
            "submission_key": "b" * 32,
            "colonia": colonia.pk,
            "address": "Calle Hidalgo 12",
            "description": "Bache de medio metro frente a la escuela.",
            "attribute_tamano": "mediano",
        },
        follow=True,
    )
    assert response.status_code == 200
    ticket = Ticket.objects.latest("id")
    assert ticket.description.startswith("Bache de medio metro")
    assert ticket.folio in response.text
    assert "Gracias" in response.text or "Recibimos" in response.text


@pytest.mark.django_db
def test_healthz_tells_a_load_balancer_the_portal_serves_without_its_cache(redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and "cache" in body["degraded"]
    assert str(redis_down.port) not in response.text  # no host or port of ours on a public page


@pytest.mark.django_db
def test_the_cache_is_used_again_once_redis_returns(own_redis, monkeypatch):
    cache.set("probe", 1)
    own_redis.stop()
    assert cache.get("probe", "missing") == "missing"  # a miss, not an error
    cache.set("probe", 2)  # dropped, not raised
    own_redis.start()  # a restarted Redis keeps nothing (no persistence)
    assert cache.get("probe", "missing") == "missing"  # not tried again yet: bypassed for a while
    monkeypatch.setattr(resilient.time, "monotonic", lambda: 10**9)  # …until that while has passed
    cache.set("probe", 3)
    assert cache.get("probe") == 3
