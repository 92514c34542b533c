"""Routing rules: supervisors say "potholes in delegación Y go to Óscar" or "reports with the
word «escuela» get priority alta and the tag escuela"; new reports follow them, whatever the
door, and the trail says which rule did what."""

import pytest
from django.urls import reverse

from tickets import queues
from tickets.models import Colonia, Priority, RoutingRule, Status, Tag, Ticket


@pytest.fixture
def coaxustenco(db):
    return Colonia.objects.select_related("delegacion").get(name="Coaxustenco")


@pytest.fixture
def elsewhere(coaxustenco):
    return Colonia.objects.exclude(delegacion=coaxustenco.delegacion).exclude(delegacion__isnull=True).first()


@pytest.fixture
def potholes_to_oscar(bacheo, coaxustenco, obras_staff):
    return RoutingRule.objects.create(
        name="Baches de Coaxustenco", service=bacheo, delegacion=coaxustenco.delegacion, assignee=obras_staff
    )


@pytest.fixture
def schools_first(db):
    rule = RoutingRule.objects.create(name="Escuelas primero", word="escuela", priority=Priority.ALTA, position=5)
    rule.tags.add(Tag.objects.create(name="escuela"), Tag.objects.create(name="prioridad"))
    return rule


def test_a_report_matching_service_and_delegacion_goes_to_the_rules_person(
    make_ticket, frozen, potholes_to_oscar, obras_staff, coaxustenco
):
    ticket = make_ticket("bacheo", colonia=coaxustenco)
    ticket.refresh_from_db()
    assert ticket.assignee == obras_staff and ticket.status == Status.ASIGNADO
    assigned = ticket.events.get(kind="assigned")
    assert assigned.actor_name == "Regla «Baches de Coaxustenco»"
    assert assigned.note == "Asignado por la regla «Baches de Coaxustenco»." and not assigned.is_public
    assert ticket.events.get(kind="status").new_value == "Asignado"
    # The queue "Mis tickets" of Óscar has it at once.
    assert ticket in queues.tickets(queues.BY_SLUG["mios"], obras_staff)


def test_a_report_elsewhere_or_of_another_service_is_left_alone(make_ticket, frozen, potholes_to_oscar, elsewhere):
    other_place = make_ticket("bacheo", colonia=elsewhere)
    other_service = make_ticket("alumbrado")
    for ticket in (other_place, other_service):
        ticket.refresh_from_db()
        assert ticket.assignee is None and ticket.status == Status.NUEVO
        assert not ticket.events.filter(kind="assigned").exists()


@pytest.mark.parametrize(
    "description, matched",
    [
        ("Bache enorme frente a la ESCUELA primaria", True),
        ("Luminaria apagada junto a la Escuela", True),
        ("Bache en la calle Escuelas Unidas", False),  # a whole word, not part of one
        ("Bache en la avenida", False),
    ],
)
def test_a_word_raises_the_priority_and_tags(make_ticket, frozen, schools_first, description, matched):
    ticket = make_ticket("bacheo", description=description)
    ticket.refresh_from_db()
    assert (ticket.priority == Priority.ALTA) is matched
    assert sorted(ticket.tags.values_list("name", flat=True)) == (["escuela", "prioridad"] if matched else [])
    if matched:
        priority = ticket.events.get(kind="updated")
        assert (priority.old_value, priority.new_value) == ("prioridad: normal", "prioridad: alta")
        tagged = ticket.events.get(kind="tagged")
        assert tagged.new_value == "escuela, prioridad" and tagged.actor_name == "Regla «Escuelas primero»"


def test_accents_and_case_do_not_matter(make_ticket, frozen, db):
    RoutingRule.objects.create(name="Tráfico", word="tráfico", priority=Priority.URGENTE)
    ticket = make_ticket("bacheo", description="El bache causa TRAFICO todas las mañanas")
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENTE


def test_a_rule_never_assigns_someone_who_may_not_work_the_ticket(make_ticket, frozen, opdapas_staff, db):
    RoutingRule.objects.create(name="Mal configurada", word="bache", assignee=opdapas_staff)
    ticket = make_ticket("bacheo")
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == Status.NUEVO
    note = ticket.events.get(kind="note")
    assert "La regla «Mal configurada» no asignó a paula" in note.note and not note.is_public


def test_imported_history_is_not_routed(make_ticket, frozen, potholes_to_oscar, coaxustenco):
    from tickets.models import Channel

    ticket = make_ticket("bacheo", colonia=coaxustenco, channel=Channel.IMPORTADO)
    assert Status(ticket.status) == Status.NUEVO and ticket.assignee is None


def test_a_rule_written_in_the_admin_applies_to_the_next_web_report(
    client, supervisor, obras_staff, bacheo, coaxustenco, frozen
):
    client.force_login(supervisor)
    refused = client.post(reverse("admin:tickets_routingrule_add"), {"name": "Sin condición", "position": 0})
    assert "Una regla necesita al menos una condición" in refused.text
    wrong = client.post(
        reverse("admin:tickets_routingrule_add"),
        {"name": "Agua a Óscar", "service": bacheo.pk, "assignee": obras_staff.pk, "position": 0,
         "is_active": "on"},
    )  # fmt: skip
    assert wrong.status_code == 302
    client.logout()
    form = {
        "submission_key": "0" * 32,
        "colonia": coaxustenco.pk,
        "address": "Calle Hidalgo 12",
        "description": "Bache de medio metro.",
        "attribute_tamano": "mediano",
        "confirm_new": "1",
    }
    assert client.post(reverse("report_form", args=["bacheo"]), form).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.assignee == obras_staff
    assert ticket.events.get(kind="assigned").actor_name == "Regla «Agua a Óscar»"


def test_the_rules_of_an_assignee_who_changed_department_are_read_again(
    make_ticket, frozen, potholes_to_oscar, obras_staff, coaxustenco
):
    from tickets.models import Department

    make_ticket("bacheo", colonia=coaxustenco)  # the rules are now kept by this process
    profile = obras_staff.staff_profile
    profile.department = Department.objects.get(name="OPDAPAS Metepec")
    profile.save()
    ticket = make_ticket("bacheo", colonia=coaxustenco)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert "no asignó a oscar" in ticket.events.get(kind="note").note


def test_staff_set_a_tickets_tags_from_its_page(client, make_ticket, frozen, obras_staff, schools_first):
    ticket = make_ticket("bacheo", description="Bache frente a la escuela")  # tagged by the rule
    lluvias = Tag.objects.create(name="lluvias")
    client.force_login(obras_staff)
    page = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    form = client.get(page).context["action_form"]
    assert set(form.initial["tags"]) == set(ticket.tags.values_list("pk", flat=True))
    done = client.post(page, {"_ticket_action": "1", "action": "tags", "tags": [lluvias.pk]}, follow=True)
    assert "Etiquetas actualizadas." in done.text
    assert list(ticket.tags.values_list("name", flat=True)) == ["lluvias"]
    tagged = ticket.events.filter(kind="tagged").latest("id")
    assert (tagged.old_value, tagged.new_value, tagged.actor) == ("escuela, prioridad", "lluvias", obras_staff)
    same = client.post(page, {"_ticket_action": "1", "action": "tags", "tags": [lluvias.pk]})
    assert "ya tiene esas etiquetas" in same.text
