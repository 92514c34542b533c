"""The synthetic data `make bench` measures: valid tickets and ratings, rollups that match."""

import pytest

from stats import rollups
from stats.benchmark import data
from surveys.models import TicketSatisfaction
from tickets.models import Status, Ticket


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
    ratings = TicketSatisfaction.objects.all()
    assert ratings.exists()
    assert not ratings.exclude(ticket__status=Status.RESUELTO).exists()
    assert set(ratings.values_list("rating", flat=True)) <= {1, 2, 3, 4, 5}
    assert rollups.reconcile(repair=False).cells_drifted == 0
    # Again at the same size: nothing more, nothing rated twice.
    rated = ratings.count()
    assert data.grow_to(500, batch=200) == 0
    assert ratings.count() == rated
