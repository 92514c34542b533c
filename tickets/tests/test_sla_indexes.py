"""The SLA states are read from their indexes (tickets/models/status.py, running_clock): the
staff list's "vencido" and "por vencer", the overdue sweep and the coming queues count
them on every page, at a million tickets."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from metepec7311.testing.plans import plan
from tickets.models import Service, Status, Ticket


@pytest.fixture
def city(needs_postgres):
    """2,000 tickets, nearly all resolved, a few running late: the shape of the real table."""
    service = Service.objects.get(code="bacheo")
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            folio=f"7311-2026-{n:06d}",
            service=service,
            department_id=service.department_id,
            description="Bache",
            status=Status.RESUELTO if n % 100 else Status.NUEVO,
            created_at=now - timedelta(days=n % 300),
            due_at=now - timedelta(hours=n % 90 - 45),
            due_soon_at=now - timedelta(hours=n % 90 - 40),
        )
        for n in range(1, 2001)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    return service


@pytest.mark.parametrize(
    ("state", "index"),
    [
        ("vencido", "ticket_running_due_pair_idx"),
        ("por_vencer", "ticket_running_due_pair_idx"),
        ("a_tiempo", "ticket_running_due_pair_idx"),
    ],
)
def test_the_sla_states_match_their_expression_indexes(city, state, index):
    assert index in plan(Ticket.objects.in_sla_state(state).values("pk"))


def test_a_departments_overdue_tickets_match_its_index(city):
    overdue = Ticket.objects.in_sla_state("vencido").filter(department=city.department_id).values("pk")
    assert re.search(
        r"ticket_(dept_running_due|running_due_pair)_idx", plan(overdue)
    )  # the department's, or the city's
