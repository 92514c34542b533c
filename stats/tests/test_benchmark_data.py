"""The synthetic data `make bench` measures: valid tickets and ratings, rollups that match."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from stats import rollups
from stats.benchmark import data
from surveys.models import TicketSatisfaction
from tickets.models import Status, Ticket
from tickets.models.status import OPEN_STATUSES


@pytest.mark.django_db(transaction=True)  # VACUUM cannot run inside the test's transaction
def test_grow_to_adds_tickets_and_ratings_with_matching_rollups(needs_postgres):
    from django.db import connection

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket'")
            return sorted(row[0] for row in cursor.fetchall())

    before = indexes()
    assert data.grow_to(500, batch=200) == 500
    assert indexes() == before  # dropped for the load, all built again
    assert Ticket.objects.count() == 500
    assert Ticket.objects.filter(folio__startswith="B").count() == 500
    # Ten years of history with a backlog of the last days only (the city's shape).
    old = Ticket.objects.filter(created_at__lt=timezone.now() - timedelta(days=data.OPEN_DAYS))
    assert old.count() > 450
    assert not old.filter(status__in=OPEN_STATUSES).exists()
    assert old.filter(status=Status.RESUELTO, resolved_at__isnull=False).count() > old.count() * 0.8
    assert not old.filter(status=Status.RESUELTO, resolved_at__isnull=True).exists()
    # Created in the order of the ids, as a real table fills (only the jitter may reorder).
    created = list(Ticket.objects.order_by("pk").values_list("created_at", flat=True))
    assert created[-1] - created[0] > timedelta(days=3600)
    assert all(later - earlier > -timedelta(minutes=15) for earlier, later in itertools.pairwise(created))
    ratings = TicketSatisfaction.objects.all()
    assert ratings.exists()
    assert not ratings.exclude(ticket__status=Status.RESUELTO).exists()
    assert set(ratings.values_list("rating", flat=True)) <= {1, 2, 3, 4, 5}
    assert rollups.reconcile(repair=False).cells_drifted == 0
    # Again at the same size: nothing more, nothing rated twice.
    rated = ratings.count()
    assert data.grow_to(500, batch=200) == 0
    assert ratings.count() == rated
