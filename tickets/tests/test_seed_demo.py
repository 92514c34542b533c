"""Demo data: realistic, and consistent with what the lifecycle would have written."""

from collections import Counter

import pytest
from django.core.management import call_command

from tickets.models import FolioCounter, Status, Ticket, TicketEvent
from tickets.sla import get_calendar


@pytest.fixture
def seeded(db, frozen):
    call_command("seed_demo", tickets=600, no_practice=True, verbosity=0)
    return Ticket.objects.select_related("service")


def test_it_creates_the_requested_number_with_unique_sequential_folios(seeded):
    assert seeded.count() == 600
    by_year = Counter(folio.split("-")[1] for folio in seeded.values_list("folio", flat=True))
    for year, count in by_year.items():
        assert FolioCounter.objects.get(year=int(year)).last_number == count


def test_potholes_lights_and_leaks_dominate(seeded):
    top = Counter(seeded.values_list("service__code", flat=True)).most_common(3)
    assert {code for code, _ in top} == {"bacheo", "alumbrado", "fuga-agua"}


def test_histories_match_the_lifecycle_rules(seeded):
    calendar = get_calendar()
    statuses = Counter()
    for ticket in seeded.prefetch_related("events"):
        statuses[ticket.status] += 1
        events = list(ticket.events.all())
        assert events[0].kind == "created" and events[0].created_at == ticket.created_at
        moves = [e for e in events if e.kind == "status"]
        last_status = moves[-1].new_value if moves else Status.NUEVO.label
        assert last_status == Status(ticket.status).label, ticket.folio
        for before, after in zip(moves, moves[1:], strict=False):
            assert before.new_value == after.old_value
        if ticket.service.sla_hours and not any(e.kind == "sla_resumed" for e in events):
            assert ticket.due_at == calendar.add(ticket.created_at, ticket.service.sla_hours)
        if ticket.status == Status.RESUELTO:
            assert ticket.resolved_at == moves[-1].created_at
        assert (ticket.status == Status.EN_ESPERA) == (ticket.sla_paused_at is not None)
    assert statuses[Status.RESUELTO] > statuses[Status.NUEVO]
    assert len(statuses) >= 5, statuses


def test_new_tickets_after_seeding_continue_the_folio_sequence(seeded, make_ticket):
    last = FolioCounter.objects.get(year=2026).last_number
    assert make_ticket().folio == f"7311-2026-{last + 1:06d}"
    assert TicketEvent.objects.filter(ticket__folio=f"7311-2026-{last + 1:06d}").count() == 1


def test_if_empty_leaves_a_database_with_tickets_alone(seeded):
    call_command("seed_demo", tickets=50, if_empty=True, verbosity=0)
    assert Ticket.objects.count() == 600


def test_practice_tickets_fill_every_queue_of_every_department(db, frozen, supervisor, obras_staff, opdapas_staff):
    """`seed_demo` ends with tickets staff can practise on today: each queue of each department
    with staff has some, made through the lifecycle (real trails and clocks)."""
    from tickets import queues

    call_command("seed_demo", tickets=50, verbosity=0)
    practice = Ticket.objects.filter(description__startswith="[Práctica]")
    for department, row in queues.by_department(supervisor):
        counts = {queue.slug: n.value for queue, n in row}
        if department.staff.exists():
            assert all(counts[slug] > 0 for slug in counts), (department, counts)
        assert (
            practice.filter(department=department, status=Status.DUPLICADO).exists()
            or not department.services.filter(sla_hours__gt=0).exists()
        )
    for persona in (obras_staff, opdapas_staff):
        assert queues.tickets(queues.BY_SLUG["mios"], persona).exists()
    # Their trails are the lifecycle's: the overdue one was assigned and started.
    overdue = practice.filter(
        description__contains="Se pasó del plazo", department=obras_staff.staff_profile.department
    ).get()
    assert [e.kind for e in overdue.events.order_by("id")][:4] == ["created", "assigned", "status", "status"]
