"""Demo ratings of resolved demo tickets, so /estadisticas/ shows satisfaction in `make run`."""

import random

from django.utils import timezone

from stats import rollups
from surveys.models import TicketSatisfaction
from tickets.models import Status, Ticket

# Roughly how residents rate municipal services: mostly good, a tail of bad experiences.
RATING_WEIGHTS = {5: 45, 4: 28, 3: 12, 2: 8, 1: 7}


def seed_ratings(share=0.4, seed=7311):
    """Rate a share of resolved tickets that have an e-mail and no rating yet."""
    rng = random.Random(seed)
    rows = []
    tickets = Ticket.objects.filter(status=Status.RESUELTO, satisfaction__isnull=True).exclude(reporter_email="")
    for ticket in tickets.only("pk", "service_id", "department_id", "created_at", "resolved_at").iterator():
        if rng.random() > share:
            continue
        rows.append(
            TicketSatisfaction(
                ticket_id=ticket.pk,
                service_id=ticket.service_id,
                department_id=ticket.department_id,
                ticket_month=timezone.localtime(ticket.created_at).date().replace(day=1),
                rating=rng.choices(list(RATING_WEIGHTS), list(RATING_WEIGHTS.values()))[0],
                created_at=ticket.resolved_at,
            )
        )
    TicketSatisfaction.objects.bulk_create(rows, batch_size=2000)
    rollups.record_ratings(rows)
    return len(rows)
