"""How many SQL queries the busiest requests may cost (docs/performance.md). A regression
(a lookup done twice, a cache that stopped working, an N+1) fails here before a benchmark
would notice it. Counted after a first request has warmed the per-process caches, as on a
running server."""

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiClient
from stats import snapshot
from tickets.models import Colonia, Ticket
from tickets.tests import images

FORM = reverse("report_form", args=["bacheo"])


@pytest.fixture
def colonia(db):
    return Colonia.objects.get(name="Coaxustenco")


@pytest.fixture
def web_report(colonia):
    def fields(n, **extra):
        return {
            "submission_key": f"{n:032d}",
            "colonia": colonia.pk,
            "address": "Calle Hidalgo 12",
            "description": "Bache de medio metro.",
            "attribute_tamano": "mediano",
            "reporter_email": "rosa@example.com",
            "confirm_new": "1",
            **extra,
        }

    return fields


@pytest.fixture
def tickets(make_ticket, frozen):
    made = [make_ticket("bacheo", photos=[images.cleaned()]) for _ in range(3)]
    snapshot.recompute()
    return made


def test_a_web_report_costs_one_statement_on_postgresql_and_a_resend_a_few_more(
    client, web_report, frozen, django_assert_max_num_queries
):
    client.post(FORM, web_report(1))  # warms the catalogue, the colonias and the calendar
    # The folio, the ticket, its trail event, the receipt, the confirmation e-mail's row, the
    # rollup change (one statement on PostgreSQL, six on SQLite), and the savepoint of the
    # test's transaction (its SAVEPOINT and RELEASE count here, BEGIN and COMMIT do not). Not:
    # a receipt lookup (a resend is told by the key's unique index), the service, its
    # questions, its department, the colonia, the calendar (kept by the process).
    budget = 3 if connection.vendor == "postgresql" else 8
    with django_assert_max_num_queries(budget):
        assert client.post(FORM, web_report(2)).status_code == 302
    # The photo waiting to be cleaned: one row (a task cleans it), written once the ticket's
    # id is drawn (one more on PostgreSQL), with the first event before it.
    with django_assert_max_num_queries(budget + 3):
        assert client.post(FORM, web_report(3, photos=[images.upload()])).status_code == 302
    # Sent again, the rare case: the attempt refused by the key and rolled back, then the
    # receipt read (with its ticket) to answer as the first send did.
    with django_assert_max_num_queries(budget + 5):
        assert client.post(FORM, web_report(3)).status_code == 302
    assert Ticket.objects.count() == 3


def test_a_tracking_page_costs_no_query_once_kept_and_five_when_rendered(
    client, tickets, django_assert_max_num_queries, django_assert_num_queries
):
    path = f"/seguimiento/{tickets[0].folio}/"
    with django_assert_max_num_queries(5):  # folio → id, the ticket, its trail, its photos
        assert client.get(path).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


def test_the_statistics_and_open_data_pages_cost_no_query(client, tickets, django_assert_num_queries):
    for path in ("/estadisticas/", "/datos/", "/"):
        client.get(path)
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 200


def test_open311_and_rest_reads(client, tickets, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    folio = tickets[0].folio
    budgets = [
        ("/open311/v2/services.json", 0),
        ("/open311/v2/services/bacheo.json", 0),
        ("/open311/v2/requests.json", 0),
        (f"/open311/v2/requests/{folio}.json", 4),
        ("/api/v1/tickets/", 0),
        (f"/api/v1/tickets/{folio}/", 4),
        ("/api/v1/stats/banner", 0),
    ]
    for path, _ in budgets:
        assert client.get(path).status_code == 200, path  # warm
    for path, budget in budgets:
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200, path


def test_open311_and_rest_reports(db, colonia, frozen, django_assert_max_num_queries):
    _, key = ApiClient.objects.create_key(name="App Metepec")
    api = APIClient()
    report = {"service_code": "bacheo", "lat": "19.2545", "long": "-99.6053", "description": "Bache.", "api_key": key}
    api.post("/open311/v2/requests.json", report)  # warm
    # The key is cached by prefix; the folio, the ticket, the event, the rollup change and
    # the key's last use (at most once a minute, so not here).
    with django_assert_max_num_queries(6):
        assert api.post("/open311/v2/requests.json", report).status_code == 200
    resident = {"service": "bacheo", "description": "Bache.", "address": "Av. Tecnológico 100", "colonia": colonia.pk}
    api.post("/api/v1/reports/", resident, format="json")
    with django_assert_max_num_queries(7):  # also the colonia and the private token's receipt
        assert api.post("/api/v1/reports/", resident, format="json").status_code == 201
