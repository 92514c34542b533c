"""Pages kept whole until what they show changes (metepec7311/pagecache.py): a change is
visible on the next request, wherever it comes from."""

from datetime import timedelta

import pytest
from django.core.cache import caches

from stats import snapshot
from tickets import lifecycle
from tickets.models import Status
from tickets.tests import images


@pytest.fixture
def ticket(make_ticket, frozen):
    made = make_ticket("bacheo", photos=[images.cleaned()])
    snapshot.recompute()  # as beat does: pages are kept under the newest snapshot
    return made


def visit(client, ticket):
    return client.get(f"/seguimiento/{ticket.folio}/")


def test_a_tracking_page_is_served_from_memory_until_the_lifecycle_changes_the_ticket(
    client, ticket, obras_staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    assert "Nuevo" in visit(client, ticket).text
    with django_assert_num_queries(0):  # the same page for everyone: no query at all
        assert "Nuevo" in visit(client, ticket).text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_assign(ticket=ticket, actor=obras_staff, assignee=obras_staff)
    assert "Asignado" in visit(client, ticket).text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_start(ticket=ticket, actor=obras_staff)
    assert "En proceso" in visit(client, ticket).text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Bache tapado.")
    assert "Bache tapado." in visit(client, ticket).text


def test_a_photo_taken_down_by_moderation_leaves_the_cached_page_at_once(
    client, ticket, supervisor, django_capture_on_commit_callbacks
):
    photo = ticket.photos.get()
    assert photo.image.url in visit(client, ticket).text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_hide_photo(ticket=ticket, actor=supervisor, photo=photo, reason="abuso", explanation="Rostro.")
    page = visit(client, ticket).text
    assert photo.image.url not in page and "<h2>Fotos</h2>" not in page


def test_a_deadline_passing_changes_the_page_without_any_change_to_the_ticket(client, ticket, frozen):
    for before, after, state in (
        (ticket.due_soon_at, ticket.due_soon_at, "por_vencer"),
        (ticket.due_at, ticket.due_at, "vencido"),
    ):
        frozen.move_to(before - timedelta(minutes=2))
        visit(client, ticket)
        assert visit(client, ticket).context is None  # kept: nothing changed yet
        frozen.move_to(after + timedelta(minutes=1))  # three minutes later, well within the keep time
        assert f"sla-{state}" in visit(client, ticket).text


def test_a_new_snapshot_shows_on_every_cached_page_at_once(client, ticket, make_ticket, frozen):
    snapshot.recompute()
    for path in ("/estadisticas/", "/datos/", f"/seguimiento/{ticket.folio}/"):
        assert client.get(path).context is not None  # rendered, then kept
        assert client.get(path).context is None, path  # served from memory
    make_ticket("bacheo")
    frozen.shift(timedelta(minutes=5))
    snapshot.recompute()
    for path in ("/estadisticas/", "/datos/", f"/seguimiento/{ticket.folio}/"):
        response = client.get(path)
        assert response.context is not None, path  # rendered again for the new numbers
        assert response.context["banner"]["total"] == 2


def test_a_visitor_with_a_message_waiting_gets_a_page_of_their_own(client, ticket, settings):
    visit(client, ticket)
    assert visit(client, ticket).context is None
    client.cookies["messages"] = "pending"
    assert visit(client, ticket).context is not None  # never someone else's copy, never stored
    del client.cookies["messages"]
    assert visit(client, ticket).context is None


def test_an_unknown_folio_is_a_404_and_nothing_is_kept(client, db):
    assert client.get("/seguimiento/7311-2026-999999/").status_code == 404
    assert client.get("/seguimiento/7311-2026-999999/").status_code == 404
    assert not [key for key in caches["pages"]._cache if "page:ticket" in key]


def test_statistics_filters_are_kept_per_query_and_an_invalid_one_still_answers(client, ticket):
    snapshot.recompute()
    assert client.get("/estadisticas/?servicio=bacheo").status_code == 200
    assert client.get("/estadisticas/?servicio=bacheo").context is None
    invalid = client.get("/estadisticas/?desde=mañana")
    assert invalid.status_code == 200 and "desde" in invalid.text


def test_the_status_of_a_closed_ticket_is_not_kept_past_a_reopening(
    client, ticket, obras_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Listo.")
    assert "Resuelto" in visit(client, ticket).text
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_reopen(ticket=ticket, reason="Sigue el bache.", actor=None)
    ticket.refresh_from_db()
    assert ticket.status == Status.EN_PROCESO
    page = visit(client, ticket).text
    assert "Sigue el bache." in page and "En proceso" in page


def test_with_a_broker_each_process_checks_the_newest_snapshot_at_most_once_a_second(db, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    clock = [1000.0]
    monkeypatch.setattr(snapshot.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(snapshot, "_stamp", {"value": None, "until": 0.0})
    first = snapshot.recompute()
    assert snapshot.stamp() == first.computed_at.isoformat()
    # Another process takes a snapshot: this one sees it within the second.
    newer = {**snapshot.banner(), "computed_at": "2030-01-01T00:00:00+00:00"}
    snapshot.cache.set(snapshot.BANNER_KEY, newer, None)
    assert snapshot.stamp() == first.computed_at.isoformat()
    clock[0] += snapshot.STAMP_SECONDS
    assert snapshot.stamp() == "2030-01-01T00:00:00+00:00"


def test_open311_services_are_kept_until_the_catalogue_changes(client, db, django_capture_on_commit_callbacks):
    from tickets.models import Service

    assert '"service_code":"bacheo"' in client.get("/open311/v2/services.json").text
    assert '"tamano"' in client.get("/open311/v2/services/bacheo.json").text
    service = Service.objects.get(code="bacheo")
    with django_capture_on_commit_callbacks(execute=True):
        service.name = "Bacheo y repavimentación"
        service.save()
        service.attributes.filter(code="tamano").update(question="¿Qué tan grande?")
        service.attributes.get(code="tamano").save()  # as the admin saves it: the signal fires
    assert "Bacheo y repavimentación" in client.get("/open311/v2/services.json").text
    assert "¿Qué tan grande?" in client.get("/open311/v2/services/bacheo.json").text


def test_a_change_made_by_another_process_shows_within_a_second(client, ticket, monkeypatch):
    from django.core.cache import cache

    from tickets import changes
    from tickets.models import Ticket

    clock = [5000.0]
    monkeypatch.setattr(changes.time, "monotonic", lambda: clock[0])
    assert "Nuevo" in visit(client, ticket).text
    # Another server process resolves it: the row changes and the shared token goes; this
    # process's memory of the token lasts one more second at most.
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.EN_PROCESO)
    cache.delete(changes.ticket_key(ticket.pk))
    assert "Nuevo" in visit(client, ticket).text
    clock[0] += changes.TOKEN_SECONDS
    assert "En proceso" in visit(client, ticket).text
