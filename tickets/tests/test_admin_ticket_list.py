"""The staff's ticket list: columns, filters, search and bulk actions."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from conftest import local
from tickets import lifecycle
from tickets.admin import actions
from tickets.admin.listing import CappedCountPaginator
from tickets.models import Channel, Colonia, Delegacion, Department, Service, Ticket

LIST = reverse("admin:tickets_ticket_changelist")


def folios(response):
    return {ticket.folio for ticket in response.context["cl"].result_list}


@pytest.fixture
def city(make_ticket, supervisor, time_machine):
    """A small city's worth of tickets, judged on Thu 2026-12-10 12:00."""
    time_machine.move_to(local(2026, 12, 10, 12), tick=False)
    centro = Colonia.objects.get(name="Coaxustenco")
    other = Colonia.objects.get(name="Arcos del Prado")
    t = {
        "bache_vencido": make_ticket(
            "bacheo", at=local(2026, 12, 1, 10), colonia=centro, reporter_phone="7221234567", address="Calle Hidalgo 12"
        ),
        "luz_a_tiempo": make_ticket(
            "alumbrado",
            at=local(2026, 12, 9, 10),
            colonia=other,
            channel=Channel.APP,
            description="Luminaria parpadea toda la noche",
        ),
        "fuga_por_vencer": make_ticket("fuga-agua", at=local(2026, 12, 3, 10), colonia=other),
    }
    t["tel"] = lifecycle.ticket_create(
        service=Service.objects.get(code="bacheo"),
        description="Bache",
        channel=Channel.TELEFONO,
        actor=supervisor,
        at=local(2026, 12, 10, 9),
        reporter_phone="(722) 123-4567",
    )
    lifecycle.ticket_resolve(ticket=t["tel"], actor=supervisor, public_note="Listo", at=local(2026, 12, 10, 11))
    return t


def test_the_list_shows_the_columns_staff_need(client, supervisor, city):
    client.force_login(supervisor)
    response = client.get(LIST)
    html = response.text
    for header in ("Folio", "Servicio", "Colonia", "Estado", "Plazo", "Vence", "Antigüedad", "Canal"):
        assert header.lower() in html.lower()
    assert '<span class="sla sla-vencido">Vencido</span>' in html
    assert '<span class="sla sla-por_vencer">Por vencer</span>' in html
    assert '<span class="sla sla-cumplido">Cumplido</span>' in html
    assert "9 d 2 h" in html  # the overdue pothole's age


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status__exact": "resuelto"}, {"tel"}),
        ({"sla": "vencido"}, {"bache_vencido"}),
        ({"sla": "por_vencer"}, {"fuga_por_vencer"}),
        ({"sla": "a_tiempo"}, {"luz_a_tiempo"}),
        ({"sla": "cumplido"}, {"tel"}),
        ({"channel__exact": "app"}, {"luz_a_tiempo"}),
    ],
)
def test_filters(client, supervisor, city, params, expected):
    client.force_login(supervisor)
    assert folios(client.get(LIST, params)) == {city[name].folio for name in expected}


def test_filters_by_service_department_and_delegacion(client, supervisor, city):
    client.force_login(supervisor)
    bacheo = Service.objects.get(code="bacheo")
    opdapas = Department.objects.get(name="OPDAPAS Metepec")
    assert folios(client.get(LIST, {"service__id__exact": bacheo.pk})) == {
        city["bache_vencido"].folio,
        city["tel"].folio,
    }
    assert folios(client.get(LIST, {"department__id__exact": opdapas.pk})) == {city["fuga_por_vencer"].folio}
    coaxustenco = Delegacion.objects.get(key="coaxustenco")
    assert folios(client.get(LIST, {"delegacion": coaxustenco.pk})) == {city["bache_vencido"].folio}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("7311-2026-000001", {"bache_vencido"}),
        ("2026 1", {"bache_vencido"}),
        ("722 123 4567", {"bache_vencido", "tel"}),
        ("hidalgo", {"bache_vencido"}),
        ("parpadea", {"luz_a_tiempo"}),
    ],
)
def test_search_by_folio_phone_address_and_text(client, supervisor, city, query, expected):
    client.force_login(supervisor)
    assert folios(client.get(LIST, {"q": query})) == {city[name].folio for name in expected}


def test_the_list_runs_a_fixed_number_of_queries(client, supervisor, city, make_ticket, django_assert_max_num_queries):
    for _ in range(20):
        make_ticket()
    client.force_login(supervisor)
    # 14 for the list itself, 6 capped counts for the queue bar and 1 for the saved views.
    with django_assert_max_num_queries(21):
        client.get(LIST)


def test_a_huge_result_says_more_than_the_cap_instead_of_counting_it(client, supervisor, city, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 2)
    client.force_login(supervisor)
    response = client.get(LIST)
    assert "más de 2 tickets" in response.text
    assert response.context["cl"].result_count == 3  # counted up to CAP + 1, no further


def test_a_text_search_counts_through_the_next_page_only(client, supervisor, make_ticket, monkeypatch):
    """A common word matches thousands of tickets: the search counts only as far as the page
    after the one shown (and never less than a bulk action takes or "Mostrar todo" shows), and
    each page further counts a page further."""
    import re

    from django.contrib import admin
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket_admin = admin.site._registry[Ticket]
    monkeypatch.setattr(ticket_admin, "list_per_page", 2)
    monkeypatch.setattr(ticket_admin, "list_max_show_all", 2)
    monkeypatch.setattr(actions, "MAX_BULK", 3)  # the floor of a search's count (200)
    for n in range(7):
        make_ticket(description=f"Poste caído número {n}")
    make_ticket(description="Bache")
    client.force_login(supervisor)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(LIST, {"q": "poste"})
    [count] = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)") and "LIKE" in q["sql"]
    ]
    assert re.search(r"LIMIT 5\b", count)  # pages 1 and 2 (2 rows each), and one row to know there is more
    assert first.context["cl"].result_count == 5
    assert "más de 4 tickets; la búsqueda cuenta solo unas páginas más allá de la que se muestra" in first.text
    assert '<a href="?p=3&amp;q=poste" class="end">3</a>' in first.text  # the page past the count
    assert 'class="showall"' not in first.text
    # A capped count cannot name "all N": only the page's rows are offered for selection.
    assert 'class="action-counter"' in first.text and 'class="question' not in first.text

    third = client.get(LIST, {"q": "poste", "p": "3"})
    assert third.context["cl"].result_count == 7  # counted through page 4: every match
    assert "7 tickets" in third.text and "más de" not in third.text
    assert len(third.context["cl"].result_list) == 2
    assert 'class="question hidden"' in third.text  # an exact count: "all 7" can be selected

    # A page number Django reads as none is page 1 for the count too (not a 500).
    assert client.get(LIST, {"q": "poste", "p": "²"}).context["cl"].paginator.cap == 4

    # Never under what a bulk action takes: "Seleccionar todos los N" of a capped count is
    # then more than a bulk action accepts, and refused rather than acting on more than N.
    monkeypatch.setattr(actions, "MAX_BULK", 5)
    floor = client.get(LIST, {"q": "poste"})
    assert floor.context["cl"].paginator.cap == 5 and "más de 5 tickets" in floor.text
    # Nor under what "Mostrar todo" shows: every match of a capped count is never one page.
    monkeypatch.setattr(actions, "MAX_BULK", 3)
    monkeypatch.setattr(ticket_admin, "list_max_show_all", 5)
    shown = client.get(LIST, {"q": "poste"})
    assert shown.context["cl"].paginator.cap == 5 and 'class="showall"' not in shown.text

    # The list without a search keeps the thousand.
    assert client.get(LIST).context["cl"].paginator.cap == CappedCountPaginator.CAP


def test_bulk_resolve_asks_for_a_public_note_then_resolves(client, supervisor, city):
    client.force_login(supervisor)
    ids = [city["bache_vencido"].pk, city["luz_a_tiempo"].pk]
    selection = {"action": "resolve", helpers.ACTION_CHECKBOX_NAME: ids}
    intermediate = client.post(LIST, selection)
    assert intermediate.status_code == 200
    assert "Diga qué se hizo" in intermediate.text
    empty = client.post(LIST, {**selection, "apply": "1", "note": ""})
    assert empty.status_code == 200 and "Escriba la nota" in empty.text
    done = client.post(LIST, {**selection, "apply": "1", "note": "Atendido por la cuadrilla 3."}, follow=True)
    assert "Resueltos:" in done.text
    assert set(Ticket.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"resuelto"}


def test_a_bulk_action_reports_the_tickets_it_refused(client, supervisor, city):
    client.force_login(supervisor)
    ids = [city["tel"].pk, city["bache_vencido"].pk]  # the first is already resolved
    response = client.post(
        LIST,
        {"action": "close_no_procede", helpers.ACTION_CHECKBOX_NAME: ids, "apply": "1", "note": "No es municipal."},
        follow=True,
    )
    assert f"No se puede pasar el ticket {city['tel'].folio}" in response.text
    assert Ticket.objects.get(pk=city["bache_vencido"].pk).status == "no_procede"
    assert Ticket.objects.get(pk=city["tel"].pk).status == "resuelto"


def test_bulk_assign_to_me_and_start(client, obras_staff, city):
    client.force_login(obras_staff)
    pothole = city["bache_vencido"]
    client.post(LIST, {"action": "assign_to_me", helpers.ACTION_CHECKBOX_NAME: [pothole.pk]})
    client.post(LIST, {"action": "start", helpers.ACTION_CHECKBOX_NAME: [pothole.pk]})
    pothole.refresh_from_db()
    assert pothole.assignee == obras_staff and pothole.status == "en_proceso"


def test_bulk_hold_pauses_the_clock(client, supervisor, city):
    client.force_login(supervisor)
    pothole = city["bache_vencido"]
    lifecycle.ticket_assign(ticket=pothole, actor=supervisor, assignee=supervisor)
    lifecycle.ticket_start(ticket=pothole, actor=supervisor)
    hold = {
        "action": "put_on_hold",
        helpers.ACTION_CHECKBOX_NAME: [pothole.pk],
        "apply": "1",
        "note": "Esperamos a CFE.",
    }
    unanswered = client.post(LIST, hold)
    assert unanswered.status_code == 200 and "Diga si el motivo de la espera es público" in unanswered.text
    assert "Esperamos a CFE." in unanswered.text
    client.post(LIST, {**hold, "reason_public": "si"})
    pothole.refresh_from_db()
    assert pothole.status == "en_espera" and pothole.sla_paused_at is not None
    assert pothole.events.get(kind="status", new_value="En espera").note == "Esperamos a CFE."  # published


def test_bulk_mark_duplicate_of_a_typed_folio(client, supervisor, city):
    client.force_login(supervisor)
    parent = city["bache_vencido"]
    child = city["luz_a_tiempo"]
    bad = client.post(
        LIST,
        {
            "action": "mark_duplicate",
            helpers.ACTION_CHECKBOX_NAME: [child.pk],
            "apply": "1",
            "parent_folio": "7311-2026-999999",
        },
    )
    assert "No se encontró el folio" in bad.text
    client.post(
        LIST,
        {"action": "mark_duplicate", helpers.ACTION_CHECKBOX_NAME: [child.pk], "apply": "1", "parent_folio": "2026-1"},
    )
    child.refresh_from_db()
    assert child.status == "duplicado" and child.parent == parent


def test_the_rows_link_with_the_filters_kept_select_for_actions_and_escape_what_was_typed(
    client, supervisor, make_ticket, frozen
):
    colonia = Colonia.objects.exclude(name="Coaxustenco").order_by("name").first()
    colonia.name = 'La Asunción <script>alert("x")</script>'
    colonia.save()
    ticket = make_ticket(colonia=colonia)
    client.force_login(supervisor)
    html = client.get(LIST, {"status__exact": "nuevo"}).text
    change = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    assert f'<a href="{change}?_changelist_filters=status__exact%3Dnuevo">{ticket.folio}</a>' in html
    assert f'name="{helpers.ACTION_CHECKBOX_NAME}" value="{ticket.pk}" class="action-select"' in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<td class="field-status_label">Nuevo</td>' in html


def test_the_capped_count_leaves_out_the_order_and_the_sla_column(client, supervisor, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"status__exact": "nuevo"})
    # The list's own count (status = nuevo), not the queue bar's (tickets/queues.py).
    [count] = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and '"tickets_ticket"."status" = \'nuevo\'' in q["sql"]
    ]
    assert "ORDER BY" not in count and "CASE WHEN" not in count and "LIMIT 1001" in count


def test_lists_and_searches_count_at_most_a_thousand(client, supervisor, city, monkeypatch):
    client.force_login(supervisor)
    assert CappedCountPaginator.CAP == 1_000
    monkeypatch.setattr(CappedCountPaginator, "CAP", 1)
    assert "más de 1 tickets" in client.get(LIST, {"q": "bache"}).text
    assert "más de 1 tickets" in client.get(LIST).text
