"""The staff's queues: what each persona finds in each, with its count, on the admin's home
page and over the ticket list; the filters offer only what the user may see; saved views."""

import time

import pytest
from django.urls import reverse

from conftest import local
from tickets import lifecycle, queues
from tickets.models import SavedView, Service, SlaState

HOME = reverse("admin:index")
LIST = reverse("admin:tickets_ticket_changelist")
NOW = local(2026, 12, 10, 12)  # Thursday noon


@pytest.fixture
def backlog(make_ticket, obras_staff, opdapas_staff, supervisor, time_machine):
    """Obras Públicas (potholes) and OPDAPAS (water) on Thursday 2026-12-10 at noon."""

    def at(day, hour=10):
        return local(2026, 12, day, hour)

    t = {
        "nuevo": make_ticket("bacheo", at=at(9)),
        "por_vencer": make_ticket("bacheo", at=at(3)),
        "mio_vencido": make_ticket("bacheo", at=at(1)),
        "espera": make_ticket("bacheo", at=at(8)),
        "reabierto": make_ticket("bacheo", at=at(2)),
        "resuelto": make_ticket("bacheo", at=at(4)),
        "agua_vencida": make_ticket("fuga-agua", at=at(1)),
        "agua_mia": make_ticket("fuga-agua", at=at(9)),
    }
    lifecycle.ticket_assign(ticket=t["mio_vencido"], actor=obras_staff, assignee=obras_staff, at=at(1, 11))
    lifecycle.ticket_start(ticket=t["mio_vencido"], actor=obras_staff, at=at(1, 12))
    lifecycle.ticket_assign(ticket=t["espera"], actor=supervisor, assignee=obras_staff, at=at(8, 11))
    lifecycle.ticket_start(ticket=t["espera"], actor=obras_staff, at=at(8, 12))
    lifecycle.ticket_wait(ticket=t["espera"], actor=obras_staff, reason="Falta asfalto", public=True, at=at(8, 13))
    lifecycle.ticket_assign(ticket=t["reabierto"], actor=supervisor, assignee=obras_staff, at=at(2, 11))
    lifecycle.ticket_start(ticket=t["reabierto"], actor=obras_staff, at=at(2, 12))
    lifecycle.ticket_resolve(ticket=t["reabierto"], actor=obras_staff, public_note="Bacheado", at=at(3, 10))
    lifecycle.ticket_reopen(ticket=t["reabierto"], actor=None, reason="Sigue el bache", at=at(9, 9))
    lifecycle.ticket_assign(ticket=t["resuelto"], actor=supervisor, assignee=obras_staff, at=at(4, 11))
    lifecycle.ticket_start(ticket=t["resuelto"], actor=obras_staff, at=at(4, 12))
    lifecycle.ticket_resolve(ticket=t["resuelto"], actor=obras_staff, public_note="Listo", at=at(4, 13))
    lifecycle.ticket_assign(ticket=t["agua_mia"], actor=supervisor, assignee=opdapas_staff, at=at(9, 11))
    time_machine.move_to(NOW, tick=False)
    for name in t:
        t[name].refresh_from_db()
    # The fixture is what the tests say it is.
    assert t["por_vencer"].sla_state_at() == SlaState.POR_VENCER
    assert t["mio_vencido"].sla_state_at() == SlaState.VENCIDO
    assert t["agua_vencida"].sla_state_at() == SlaState.VENCIDO
    assert t["nuevo"].sla_state_at() == SlaState.A_TIEMPO
    return t


def names(backlog, queryset):
    by_pk = {ticket.pk: name for name, ticket in backlog.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


EXPECTED = {
    # Óscar works potholes (Obras Públicas): only his department, "mios" are his.
    "oscar": {
        "mios": {"mio_vencido", "espera", "reabierto"},
        "sin-asignar": {"nuevo", "por_vencer"},
        "por-vencer": {"por_vencer"},
        "vencidos": {"mio_vencido"},
        "en-espera": {"espera"},
        "reabiertos": {"reabierto"},
    },
    # Paula works water (OPDAPAS).
    "paula": {
        "mios": {"agua_mia"},
        "sin-asignar": {"agua_vencida"},
        "por-vencer": set(),
        "vencidos": {"agua_vencida"},
        "en-espera": set(),
        "reabiertos": set(),
    },
    # Sofía supervises every department; nothing is assigned to her.
    "sofia": {
        "mios": set(),
        "sin-asignar": {"nuevo", "por_vencer", "agua_vencida"},
        "por-vencer": {"por_vencer"},
        "vencidos": {"mio_vencido", "agua_vencida"},
        "en-espera": {"espera"},
        "reabiertos": {"reabierto"},
    },
}


@pytest.mark.parametrize("persona", ["oscar", "paula", "sofia"])
def test_each_queue_holds_what_the_persona_must_work(backlog, persona, obras_staff, opdapas_staff, supervisor):
    user = {"oscar": obras_staff, "paula": opdapas_staff, "sofia": supervisor}[persona]
    for queue in queues.QUEUES:
        assert names(backlog, queues.tickets(queue, user)) == EXPECTED[persona][queue.slug], queue.slug


@pytest.mark.parametrize("persona", ["oscar", "paula", "sofia"])
def test_the_list_opens_each_queue_and_the_home_page_counts_it(
    client, backlog, persona, obras_staff, opdapas_staff, supervisor
):
    user = {"oscar": obras_staff, "paula": opdapas_staff, "sofia": supervisor}[persona]
    client.force_login(user)
    home = client.get(HOME)
    assert home.status_code == 200
    counts = {queue.slug: count.value for queue, _, count in home.context["my_queues"]}
    assert counts == {slug: len(expected) for slug, expected in EXPECTED[persona].items()}
    for slug, expected in EXPECTED[persona].items():
        response = client.get(LIST, {"cola": slug})
        assert response.status_code == 200
        shown = {ticket.folio for ticket in response.context["cl"].result_list}
        assert shown == {backlog[name].folio for name in expected}, slug
        # The queue bar over the list shows the same count and marks the open queue.
        assert f'class="queue queue-{slug} selected"' in response.text
    label = "Sin asignar de mi dependencia" if persona != "sofia" else "Sin asignar"
    assert f'<span class="queue-label">{label}</span>' in home.text


def test_the_users_own_change_shows_in_the_counts_at_once(
    client, backlog, obras_staff, django_capture_on_commit_callbacks
):
    client.force_login(obras_staff)
    client.get(LIST)  # the counts are now kept
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_assign(ticket=backlog["nuevo"], actor=obras_staff, assignee=obras_staff)
    counts = {queue.slug: count.value for queue, _, count in client.get(LIST).context["my_queues"]}
    assert counts["mios"] == 4 and counts["sin-asignar"] == 1


def test_the_supervisor_sees_the_queues_per_department_linked_to_the_list(client, backlog, supervisor):
    client.force_login(supervisor)
    response = client.get(HOME)
    table = {str(d): {q.slug: n.value for q, n in row} for d, row in response.context["queue_table"]}
    assert table["Dirección de Obras Públicas"] == {
        "sin-asignar": 2,
        "por-vencer": 1,
        "vencidos": 1,
        "en-espera": 1,
        "reabiertos": 1,
    }
    assert table["OPDAPAS Metepec"] == {
        "sin-asignar": 1,
        "por-vencer": 0,
        "vencidos": 1,
        "en-espera": 0,
        "reabiertos": 0,
    }
    obras = backlog["nuevo"].department
    link = f"{LIST}?cola=vencidos&amp;department__id__exact={obras.pk}"
    assert link in response.text
    shown = client.get(LIST, {"cola": "vencidos", "department__id__exact": obras.pk}).context["cl"].result_list
    assert [t.folio for t in shown] == [backlog["mio_vencido"].folio]


def test_department_staff_get_no_table_of_other_departments(client, backlog, obras_staff):
    client.force_login(obras_staff)
    assert "queue_table" not in client.get(HOME).context


def test_counts_past_the_cap_say_so(client, backlog, supervisor, monkeypatch):
    monkeypatch.setattr(queues, "CAP", 2)
    client.force_login(supervisor)
    counts = {queue.slug: str(count) for queue, _, count in client.get(HOME).context["my_queues"]}
    assert counts["sin-asignar"] == "2+"
    assert counts["vencidos"] == "2"


def test_filters_offer_only_what_the_user_may_see(client, backlog, obras_staff, supervisor):
    client.force_login(obras_staff)
    html = client.get(LIST).text
    own = Service.objects.filter(department=backlog["nuevo"].department)
    other = Service.objects.exclude(department=backlog["nuevo"].department)
    assert own.exists() and other.exists()
    for service in own:
        assert f"service__id__exact={service.pk}" in html
    for service in other:
        assert f'service__id__exact={service.pk}"' not in html
        assert f"service__id__exact={service.pk}&" not in html
    assert "department__id__exact" not in html  # one department: no department filter
    client.force_login(supervisor)
    html = client.get(LIST).text
    assert all(f"service__id__exact={s.pk}" in html for s in Service.objects.all())
    assert "department__id__exact" in html


def test_a_supervisor_saves_a_view_for_a_team_and_only_that_team_sees_it(
    client, backlog, supervisor, obras_staff, opdapas_staff
):
    client.force_login(supervisor)
    filters = "cola=vencidos&sla=&page=3&q=bache&_popup=1"
    listing = client.get(f"{LIST}?cola=vencidos&q=bache")
    assert 'href="/admin/tickets/savedview/add/?query=' in listing.text
    form = client.get(reverse("admin:tickets_savedview_add"), {"query": filters})
    assert form.context["adminform"].form.initial["query"] == "cola=vencidos&q=bache"
    obras = backlog["nuevo"].department
    response = client.post(
        reverse("admin:tickets_savedview_add"),
        {"name": "Baches vencidos", "query": f"http://x{LIST}?q=bache&cola=vencidos&p=2", "department": obras.pk,
         "position": 0},
    )  # fmt: skip
    assert response.status_code == 302
    view = SavedView.objects.get()
    assert (view.query, view.created_by, view.department) == ("cola=vencidos&q=bache", supervisor, obras)

    client.force_login(obras_staff)
    home = client.get(HOME)
    assert [v.name for v in home.context["saved_views"]] == ["Baches vencidos"]
    assert f'href="{LIST}?cola=vencidos&amp;q=bache"' in home.text
    assert "Guardar esta vista" not in client.get(LIST).text  # staff use views, supervisors make them
    client.force_login(opdapas_staff)
    assert client.get(HOME).context["saved_views"] == []


def test_a_view_without_any_list_filter_is_refused(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:tickets_savedview_add"), {"name": "Nada", "query": "page=2&foo=1", "position": 0}
    )
    assert response.status_code == 200
    assert "La vista no tiene ningún filtro de la lista de tickets." in response.text
    assert not SavedView.objects.exists()


def test_the_lists_counts_are_kept_half_a_minute_but_the_users_own_work_shows_at_once(
    client, backlog, obras_staff, supervisor, make_ticket, time_machine, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(obras_staff)

    def list_counts():
        return {queue.slug: n.value for queue, _, n in client.get(LIST).context["my_queues"]}

    assert list_counts()["sin-asignar"] == 2
    make_ticket("bacheo")  # a resident's new report
    assert list_counts()["sin-asignar"] == 2  # the list's counts are kept…
    home = {queue.slug: n.value for queue, _, n in client.get(HOME).context["my_queues"]}
    assert home["sin-asignar"] == 3  # …the home page counts afresh (and refreshes them)
    assert list_counts()["sin-asignar"] == 3
    # …for KEPT_SECONDS at most (here one second: the frozen clock moves the in-memory cache's
    # expiry, real time Redis's).
    monkeypatch.setattr(queues, "KEPT_SECONDS", 1)
    client.get(HOME)  # counted afresh, now kept one second
    assert list_counts()["sin-asignar"] == 3
    make_ticket("bacheo")
    time_machine.shift(2)
    time.sleep(1.2)
    assert list_counts()["sin-asignar"] == 4
    # Assigned to him by someone else: his "Mis tickets" at once.
    assert list_counts()["mios"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_assign(ticket=backlog["por_vencer"], actor=supervisor, assignee=obras_staff)
    assert list_counts()["mios"] == 4
