"""The public REST API (no login): catalogue, territory, tickets, transparency, news, surveys."""

import pytest

from conftest import local
from stats import snapshot
from tickets import lifecycle
from tickets.models import Colonia, Locality
from tickets.tests import images

API = "/api/v1"


def test_services_with_their_questions_and_the_27_reported_online(client, db):
    services = client.get(f"{API}/services/").json()
    assert len(services) == 37
    online = client.get(f"{API}/services/", {"reportable": "true"}).json()
    assert len(online) == 27 and all(s["reportable"] for s in online)
    pothole = client.get(f"{API}/services/bacheo/").json()
    assert pothole["attributes"][0]["code"] == "tamano"
    assert [c["key"] for c in pothole["attributes"][0]["choices"]] == ["chico", "mediano", "grande"]
    assert pothole["department"] == {"slug": "direccion-de-obras-publicas", "name": "Dirección de Obras Públicas"}
    assert client.get(f"{API}/services/nada/").status_code == 404
    assert client.get(f"{API}/services/")["Cache-Control"] == "public, max-age=300"


def test_territory(client, db):
    colonias = client.get(f"{API}/colonias/", {"postal_code": "52140"}).json()
    assert colonias and {c["postal_code"] for c in colonias} == {"52140"}
    assert any(c["name"] == "Coaxustenco" for c in client.get(f"{API}/colonias/", {"name": "coaxus"}).json())
    assert client.get(f"{API}/delegaciones/").json()
    assert client.get(f"{API}/departments/").json()
    localities = client.get(f"{API}/localities/").json()
    assert localities and "geometry" not in localities[0]
    cvegeo = Locality.objects.first().cvegeo
    assert client.get(f"{API}/localities/{cvegeo}/").json()["geometry"]["type"] in ("Polygon", "MultiPolygon")


@pytest.fixture
def tickets(make_ticket, supervisor, frozen):
    pothole = make_ticket("bacheo", latitude="19.254512", longitude="-99.605349", at=local(2026, 12, 1, 9))
    lifecycle.ticket_resolve(ticket=pothole, actor=supervisor, public_note="Se bacheó.", at=local(2026, 12, 2, 10))
    leak = make_ticket("fuga-agua", at=local(2026, 12, 3, 11), photos=[images.cleaned()])
    late = make_ticket("alumbrado", at=local(2026, 11, 2, 10))
    return {"pothole": pothole, "leak": leak, "late": late}


def folios(response):
    assert response.status_code == 200, response.content
    return [t["folio"] for t in response.json()["results"]]


def test_tickets_newest_first_with_a_cursor(client, tickets):
    first = client.get(f"{API}/tickets/", {"page_size": 2}).json()
    assert [t["folio"] for t in first["results"]] == [tickets["leak"].folio, tickets["pothole"].folio]
    rest = client.get(first["next"]).json()
    assert [t["folio"] for t in rest["results"]] == [tickets["late"].folio] and rest["next"] is None
    assert client.get(f"{API}/tickets/", {"cursor": "basura"}).status_code == 404


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "resuelto"}, ["pothole"]),
        ({"status": ["nuevo", "resuelto"]}, ["leak", "pothole", "late"]),
        ({"bucket": "en_proceso"}, ["leak", "late"]),
        ({"service": "fuga-agua"}, ["leak"]),
        ({"department": "opdapas-metepec"}, ["leak"]),
        ({"channel": "web"}, ["leak", "pothole", "late"]),
        ({"sla": "vencido"}, ["late"]),
        ({"sla": "cumplido"}, ["pothole"]),
        ({"created_after": "2026-12-01T00:00:00-06:00"}, ["leak", "pothole"]),
        ({"created_before": "2026-12-01"}, ["late"]),
        ({"resolved_after": "2026-12-02T00:00:00-06:00"}, ["pothole"]),
    ],
)
def test_filters(client, tickets, query, expected):
    assert folios(client.get(f"{API}/tickets/", query)) == [tickets[name].folio for name in expected]


def test_filters_by_place(client, tickets):
    coaxustenco = Colonia.objects.get(name="Coaxustenco")
    assert len(folios(client.get(f"{API}/tickets/", {"colonia": coaxustenco.pk}))) == 3
    assert (
        folios(client.get(f"{API}/tickets/", {"colonia": Colonia.objects.exclude(pk=coaxustenco.pk).first().pk})) == []
    )
    tickets["pothole"].refresh_from_db()
    locality = tickets["pothole"].locality
    assert folios(client.get(f"{API}/tickets/", {"locality": locality.cvegeo})) == [tickets["pothole"].folio]


@pytest.mark.parametrize(
    "query",
    [{"status": "abierto"}, {"sla": "x"}, {"created_after": "ayer"}, {"colonia": "uno"}, {"page_size": "-1"}],
)
def test_bad_filters_are_a_400_with_the_field(client, db, query):
    response = client.get(f"{API}/tickets/", query)
    if "page_size" in query:  # DRF falls back to the default size, as documented
        assert response.status_code == 200
        return
    body = response.json()
    assert response.status_code == 400 and set(body) == {"detail", "code", "errors"}
    assert list(body["errors"]) == list(query)


def test_a_ticket_as_anyone_may_see_it(client, tickets):
    response = client.get(f"{API}/tickets/{tickets['pothole'].folio}/")
    data = response.json()
    assert data["status"] == "resuelto" and data["bucket"] == "resuelto" and data["sla_state"] == "cumplido"
    assert (data["latitude"], data["longitude"]) == (19.2545, -99.6053)
    assert [e["title"] for e in data["timeline"]] == ["Reporte recibido", "Estado: Resuelto"]
    assert data["timeline"][1]["by"] == "Dirección de Obras Públicas"  # never a staff member's name
    assert data["url"] == f"http://testserver/seguimiento/{tickets['pothole'].folio}/"
    photo = client.get(f"{API}/tickets/{tickets['leak'].folio}/").json()["photos"][0]
    assert photo["url"].startswith("http://testserver/media/") and photo["width"] == 800
    for private in ("reporter_name", "reporter_phone", "reporter_email", "reporter_token", "events", "attributes"):
        assert private not in data
    assert client.get(f"{API}/tickets/7311-2026-999999/").status_code == 404
    assert client.get(f"{API}/tickets/2026-1/").json()["folio"] == tickets["pothole"].folio  # typed loosely


def test_a_ticket_answers_304_until_it_changes(client, tickets, supervisor):
    url = f"{API}/tickets/{tickets['leak'].folio}/"
    first = client.get(url)
    assert first["Last-Modified"] and first["ETag"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    lifecycle.ticket_add_note(ticket=tickets["leak"], actor=supervisor, text="Vamos mañana.", public=True)
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed.json()["timeline"][-1]["text"] == "Vamos mañana."


def test_the_list_is_cached_and_changes_at_once(
    client, tickets, supervisor, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    first = client.get(f"{API}/tickets/")
    with django_assert_max_num_queries(0):
        again = client.get(f"{API}/tickets/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    with django_capture_on_commit_callbacks(execute=True):  # as when the change commits
        lifecycle.ticket_assign(ticket=tickets["leak"], actor=supervisor, assignee=supervisor)
    after = client.get(f"{API}/tickets/", headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200 and after.json()["results"][0]["status"] == "asignado"


def test_banner_and_statistics_from_the_snapshot(client, tickets):
    snapshot.recompute()
    banner = client.get(f"{API}/stats/banner").json()
    assert banner["total"] == 3 and banner["resueltos"] == 1 and banner["en_proceso"] == 2
    stats = client.get(f"{API}/stats/").json()
    assert stats["totales"]["tickets"] == 3
    filtered = client.get(f"{API}/stats/", {"desde": "2026-12", "servicio": "bacheo"}).json()
    assert filtered["totales"]["tickets"] == 1 and filtered["filtro"]["servicio"] == "bacheo"
    bad = client.get(f"{API}/stats/", {"desde": "diciembre"})
    assert bad.status_code == 400 and "desde" in bad.json()["errors"]


def test_news_only_published(client, db, frozen):
    from news.models import Article

    Article.objects.create(
        title="Jornada de bacheo",
        slug="jornada",
        summary="Resumen",
        body="**Hola**",
        status=Article.Status.PUBLISHED,
        publish_at=local(2026, 12, 1, 9),
    )
    Article.objects.create(title="Borrador", slug="borrador", summary="s", body="b")
    items = client.get(f"{API}/news/").json()["results"]
    assert [a["slug"] for a in items] == ["jornada"]
    article = client.get(f"{API}/news/jornada/").json()
    assert "<strong>Hola</strong>" in article["body_html"]
    assert client.get(f"{API}/news/borrador/").status_code == 404


def test_survey_results(client, db):
    data = client.get(f"{API}/surveys/encuesta_7311/results/").json()
    assert data["slug"] == "encuesta_7311" and len(data["questions"]) == 4
    assert client.get(f"{API}/surveys/no-existe/results/").status_code == 404


def test_anonymous_reads_are_rate_limited_per_address(client, db, settings):
    settings.API_READ_RATE = "3/m"
    statuses = [client.get(f"{API}/services/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = client.get(f"{API}/services/").json()
    assert body["code"] == "throttled" and set(body) == {"detail", "code", "errors"}
