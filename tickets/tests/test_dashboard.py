"""The supervisor's dashboard: every figure equals a recount of the tickets, links to its
tickets, is limited to what the user may see, downloads as CSV, and costs a fixed number of
queries whatever the number of tickets."""

import csv
import io
from collections import Counter
from statistics import median

import pytest
from django.urls import reverse

from conftest import local
from stats import rollups
from tickets import dashboard, lifecycle
from tickets.models import Colonia, SlaState, Ticket
from tickets.models.status import OPEN_STATUSES, resolved_on_time

BOARD = reverse("admin:tickets_ticket_dashboard")
NOW = local(2026, 12, 7, 10)  # Monday


@pytest.fixture
def city(make_ticket, time_machine, supervisor, obras_staff, opdapas_staff):
    def at(month, day, hour=10):
        time_machine.move_to(local(2026, month, day, hour), tick=False)

    other = Colonia.objects.get(name="Arcos del Prado")
    at(11, 24)
    old = make_ticket("bacheo")  # overdue since Tuesday 1 December
    at(11, 24, 12)
    lifecycle.ticket_assign(ticket=old, actor=supervisor, assignee=obras_staff)  # first action after 2 h
    at(11, 30)
    due_today = make_ticket("bacheo", colonia=other)  # due Monday 7 December 13:00
    at(12, 1)
    fixed = make_ticket("bacheo")
    at(12, 1, 11)
    lifecycle.ticket_assign(ticket=fixed, actor=obras_staff, assignee=obras_staff)
    lifecycle.ticket_start(ticket=fixed, actor=obras_staff)
    at(12, 2)
    lifecycle.ticket_resolve(ticket=fixed, actor=obras_staff, public_note="Bacheado.")
    at(12, 2, 11)
    again = make_ticket("bacheo")
    at(12, 3)
    lifecycle.ticket_resolve(ticket=again, actor=obras_staff, public_note="Bacheado.")
    at(12, 4)
    lifecycle.ticket_reopen(ticket=again, actor=None, via="web", reason="Se volvió a hundir.")
    at(12, 7, 9)
    fresh = make_ticket("bacheo", colonia=other)
    water = make_ticket("fuga-agua")
    lifecycle.ticket_assign(ticket=water, actor=supervisor, assignee=opdapas_staff)
    time_machine.move_to(NOW, tick=False)
    rollups.fold_all()
    made = {"old": old, "due_today": due_today, "fixed": fixed, "again": again, "fresh": fresh, "water": water}
    for ticket in made.values():
        ticket.refresh_from_db()
    assert made["due_today"].due_at == local(2026, 12, 7, 13)
    assert made["old"].sla_state_at() == SlaState.VENCIDO
    return made


def recount(user, period):
    """The same figures, the slow way: every visible ticket in Python."""
    tickets = list(Ticket.objects.visible_to(user))
    start, end = period.bounds()
    figures = {"backlog": Counter(), "due_today": Counter(), "overdue": Counter(), "reopen": Counter(),
               "created": Counter(), "met": Counter(), "measured": Counter(), "load": Counter()}  # fmt: skip
    first, resolution = {}, {}
    end_of_day = NOW.replace(hour=23, minute=59, second=59)
    for t in tickets:
        d = t.department_id
        if t.status in OPEN_STATUSES:
            age = (NOW - t.created_at).total_seconds() / 86400
            slug = next(s for s, _, low, high in dashboard.AGE_BUCKETS if age >= low and (high is None or age < high))
            figures["backlog"][(d, slug)] += 1
            if t.assignee_id:
                figures["load"][t.assignee_id] += 1
        state = t.sla_state_at(NOW)
        if state == SlaState.VENCIDO:
            figures["overdue"][d] += 1
        if state in (SlaState.A_TIEMPO, SlaState.POR_VENCER) and t.due_at <= end_of_day:
            figures["due_today"][d] += 1
        if start <= t.created_at < end:
            figures["created"][d] += 1
            figures["reopen"][d] += t.reopened_count > 0
            on_time = resolved_on_time(t)
            if on_time is not None:
                figures["measured"][d] += 1
                figures["met"][d] += on_time
            if t.first_action_at:
                first.setdefault(d, []).append((t.first_action_at - t.created_at).total_seconds() / 3600)
            if t.business_hours_to_resolve is not None:
                resolution.setdefault(d, []).append(float(t.business_hours_to_resolve))
    figures["first"] = {d: median(v) for d, v in first.items()}
    figures["resolution"] = {d: median(v) for d, v in resolution.items()}
    return figures


@pytest.mark.parametrize("persona", ["supervisor", "obras_staff"])
def test_every_figure_equals_a_recount(city, persona, request):
    user = request.getfixturevalue(persona)
    period = dashboard.Period.last_days(30, NOW.date())
    board = dashboard.build(user, period, now=NOW)
    expected = recount(user, period)
    for department in board.departments:
        d = department.pk
        backlog = dict(zip([s for s, *_ in dashboard.AGE_BUCKETS], board.backlog.get(d, [0] * 4), strict=True))
        assert backlog == {slug: expected["backlog"][(d, slug)] for slug, *_ in dashboard.AGE_BUCKETS}
        assert board.due_today.get(d, 0) == expected["due_today"][d]
        assert board.overdue.get(d, 0) == expected["overdue"][d]
        assert board.reopen.get(d, (0, 0)) == (expected["reopen"][d], expected["created"][d])
        assert board.on_time_department.get(d, (0, 0)) == (expected["met"][d], expected["measured"][d])
        assert board.first_action_hours.get(d) == pytest.approx(expected["first"].get(d))
        assert board.resolution_hours.get(d) == pytest.approx(expected["resolution"].get(d))
    assert {user.pk: n for user, n, _ in board.load} == dict(expected["load"])
    # And the figures are what the city above says they are.
    obras = city["old"].department_id
    if persona == "obras_staff":
        assert [d.name for d in board.departments] == ["Dirección de Obras Públicas"]
        assert city["water"].department_id not in board.backlog
    assert board.backlog[obras] == [1, 0, 1, 2]  # fresh; again (reported 2 Dec); due_today and old
    assert board.overdue[obras] == 1 and board.due_today[obras] == 1
    assert board.reopen[obras] == (1, 5) and board.on_time_department[obras] == (1, 1)
    assert board.first_action_hours[obras] == pytest.approx(2.0)  # old 2 h, fixed 1 h, again 23 h
    assert board.resolution_hours[obras] == pytest.approx(9.0)  # fixed: Tue 10:00 to Wed 10:00


def test_the_busiest_colonias_of_the_week(city, supervisor):
    board = dashboard.build(supervisor, dashboard.Period.last_days(30, NOW.date()), now=NOW)
    assert [(name, n) for _, name, n in board.colonias] == [("Coaxustenco", 3), ("Arcos del Prado", 2)]


def test_the_page_links_each_figure_to_its_tickets(client, city, supervisor):
    client.force_login(supervisor)
    response = client.get(BOARD)
    assert response.status_code == 200
    html = response.text
    obras = city["old"].department_id
    link = f"?department__id__exact={obras}&amp;abiertos=mas-5"
    assert link in html
    shown = client.get(reverse("admin:tickets_ticket_changelist") + link.replace("&amp;", "&")).context["cl"]
    assert {t.folio for t in shown.result_list} == {city["old"].folio, city["due_today"].folio}
    today = client.get(reverse("admin:tickets_ticket_changelist"), {"department__id__exact": obras, "vence": "hoy"})
    assert [t.folio for t in today.context["cl"].result_list] == [city["due_today"].folio]
    colonia = Colonia.objects.get(name="Arcos del Prado")
    by_colonia = client.get(reverse("admin:tickets_ticket_changelist"), {"colonia__id__exact": colonia.pk})
    assert {t.folio for t in by_colonia.context["cl"].result_list} == {city["due_today"].folio, city["fresh"].folio}


def test_the_csv_download(client, city, supervisor):
    client.force_login(supervisor)
    response = client.get(BOARD, {"desde": "2026-11-08", "hasta": "2026-12-07", "formato": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tablero-20261108-20261207.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["sección", "dependencia o tema", "medida", "valor"]
    assert ["vencidos", "Dirección de Obras Públicas", "tickets", "1"] in rows
    assert ["reabiertos", "Dirección de Obras Públicas", "1 de 5", "20.0 %"] in rows  # old is in this period
    assert ["carga por persona", "Óscar", "abiertos / vencidos", "1 / 1"] in rows


def test_a_wrong_period_is_said_and_the_default_shown(client, city, supervisor):
    client.force_login(supervisor)
    response = client.get(BOARD, {"desde": "2026-12-07", "hasta": "2026-11-01"})
    assert response.status_code == 200
    assert "«Desde» es posterior a «Hasta»." in response.text
    assert response.context["board"].period == dashboard.Period.last_days(30, NOW.date())


def test_the_cost_does_not_grow_with_the_tickets(client, city, supervisor, make_ticket, django_assert_max_num_queries):
    client.force_login(supervisor)
    client.get(BOARD)  # warms the kept reference data
    with django_assert_max_num_queries(20) as few:
        client.get(BOARD)
    for _ in range(15):
        make_ticket("bacheo")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(BOARD)
