"""Folios: 7311-YYYY-NNNNNN, sequential per year, unique even under concurrent creation."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from conftest import local
from tickets import lifecycle, reporting
from tickets.folio import parse_folio
from tickets.models import Channel, FolioCounter, Service, Ticket


def test_folios_follow_the_year_of_creation_in_metepec(make_ticket, frozen):
    first = make_ticket()
    second = make_ticket()
    assert first.folio == "7311-2026-000001"
    assert second.folio == "7311-2026-000002"
    # 31 Dec 2026 at 23:30 in Metepec is already 1 Jan 2027 in UTC: still a 2026 folio.
    assert make_ticket(at=local(2026, 12, 31, 23, 30)).folio == "7311-2026-000003"
    assert make_ticket(at=local(2027, 1, 1, 0, 5)).folio == "7311-2027-000001"


def test_a_failed_creation_gives_its_number_back(make_ticket, frozen, bacheo):
    make_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket()
        raise RuntimeError("the database write after the folio failed")
    assert make_ticket().folio == "7311-2026-000002"
    assert FolioCounter.objects.get(year=2026).last_number == 2


@pytest.mark.parametrize(
    "typed, folio",
    [
        ("7311-2026-000123", "7311-2026-000123"),
        (" 7311 2026 123 ", "7311-2026-000123"),
        ("2026-000123", "7311-2026-000123"),
        ("*7311-2026-123", "7311-2026-000123"),
        ("folio 7311.2026.000123", "7311-2026-000123"),
        ("73112026000123", "7311-2026-000123"),
        ("7311-2026-1234567", "7311-2026-1234567"),
    ],
)
def test_typed_folios_are_understood(typed, folio):
    assert parse_folio(typed) == folio


@pytest.mark.parametrize("typed", ["", "hola", "7311", "7311-2026-0", "7311-1999-000001", "12345"])
def test_things_that_are_not_folios_are_rejected(typed):
    assert parse_folio(typed) is None


@pytest.mark.django_db(transaction=True)
def test_concurrent_creations_on_postgresql_never_share_a_folio(needs_postgres):
    """Real concurrent transactions, each on its own connection, racing for the counter."""
    service = Service.objects.get(code="bacheo")
    workers, per_worker = 8, 5
    barrier = threading.Barrier(workers)
    errors = []

    def create_many():
        try:
            barrier.wait()
            for _ in range(per_worker):
                lifecycle.ticket_create(service=service, description="Bache", channel=Channel.WEB, address="Calle 1")
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_many) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    folios = list(Ticket.objects.values_list("folio", flat=True))
    assert len(folios) == len(set(folios)) == workers * per_worker
    numbers = sorted(int(folio.rsplit("-", 1)[1]) for folio in folios)
    assert numbers == list(range(1, workers * per_worker + 1))  # no gaps, no repeats


@pytest.mark.django_db(transaction=True)
def test_the_first_tickets_of_a_new_year_race_safely_on_postgresql(needs_postgres):
    """Nobody has created the year's counter row yet: concurrent INSERTs must not fail."""
    service = Service.objects.get(code="alumbrado")
    barrier = threading.Barrier(6)
    errors, folios = [], []

    def create_one():
        try:
            barrier.wait()
            ticket = lifecycle.ticket_create(
                service=service,
                description="Luminaria apagada",
                channel=Channel.WEB,
                address="Calle 1",
                at=local(2031, 1, 2, 10),
            )
            folios.append(ticket.folio)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(folios) == [f"7311-2031-{n:06d}" for n in range(1, 7)]


def test_folios_past_a_million_keep_every_digit(make_ticket, frozen):
    # On PostgreSQL the INSERT formats the folio in SQL (migration 0007); it must agree
    # with format_folio(), padding to six digits and never cutting a longer number.
    FolioCounter.objects.create(year=2026, last_number=999_998)
    assert make_ticket().folio == "7311-2026-999999"
    assert make_ticket().folio == "7311-2026-1000000"
    assert Ticket.objects.filter(folio="7311-2026-1000000").exists()


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_report_is_one_statement_that_commits_by_itself(needs_postgres, frozen, monkeypatch):
    """The counter row stays locked from the moment a number is taken to the commit. A report
    without photos is one statement (tickets/lifecycle/together.py) sent with no transaction
    around it: it commits inside the database, so the lock is released before Python hears
    back, and concurrent reports never wait on a request thread's COMMIT round trip."""
    import psycopg
    from django.db.models.signals import post_save
    from django.test.utils import CaptureQueriesContext
    from psycopg._queries import MAX_CACHED_STATEMENT_PARAMS

    from stats.models import RollupChange
    from tickets.lifecycle import together
    from tickets.models import Notification

    built = []
    statement = together._statement
    monkeypatch.setattr(together, "_statement", lambda *args: built.append(statement(*args)) or built[-1])
    # The moment Python has the new ticket back: another session tries the counter row.
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"], dbname=settings["NAME"],
        password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip
    seen = []

    def counter_when_saved(instance, created, **kwargs):
        try:
            row = other.execute("SELECT last_number FROM tickets_foliocounter WHERE year = 2026 FOR UPDATE NOWAIT")
            seen.append(row.fetchone()[0])
        except psycopg.errors.LockNotAvailable:
            seen.append("locked")

    service = Service.objects.get(code="bacheo")
    # The year's counter row, so that the other session finds it.
    lifecycle.ticket_create(service=service, description="Otro", channel=Channel.WEB, address="Calle 2")
    post_save.connect(counter_when_saved, sender=Ticket)
    try:
        with CaptureQueriesContext(connection) as queries:
            ticket = lifecycle.ticket_create(
                service=service, description="Bache", channel=Channel.WEB, address="Calle 1", reporter_email="a@b.mx"
            )
    finally:
        post_save.disconnect(counter_when_saved, sender=Ticket)
        other.close()
    assert seen == [2], "the counter row was still locked when Python had the ticket back"
    statements = [query["sql"] for query in queries.captured_queries]
    # The reference data read once, then the one statement with no BEGIN before it; after it,
    # the confirmation asked for and delivered (eager Celery in tests): it found its row.
    wrote = [i for i, sql in enumerate(statements) if not sql.startswith("SELECT")]
    assert statements[wrote[0]].startswith('WITH t AS (INSERT INTO "tickets_ticket"'), statements
    assert "tickets_next_folio" in statements[wrote[0]]
    assert "BEGIN" not in statements[: wrote[0]] and 'FROM "tickets_notification"' in statements[wrote[0] + 1]
    assert ticket.folio == Ticket.objects.get(pk=ticket.pk).folio == "7311-2026-000002"
    # The rows written with it point to it, and the instances know their ids.
    created = ticket.events.get()
    assert created.kind == "created" and created.actor_name == "Ciudadano"
    assert Notification.objects.get(ticket=ticket).state == Notification.State.SENT
    assert RollupChange.objects.last().after.startswith(f"2026-12-07|{service.pk}|web|")
    # Empty columns are written as NULL in the text: few enough parameters that psycopg keeps
    # the statement's conversion from one report to the next.
    sql, params, _ = built[-1]
    assert None not in params and "NULL" in sql
    assert len(params) <= MAX_CACHED_STATEMENT_PARAMS, len(params)


def test_on_postgresql_the_report_statement_is_prepared_on_its_connection(needs_postgres, frozen):
    """Django opens connections with psycopg's preparation off; the settings turn it on, so
    from the fifth report on a connection the database no longer parses and plans the
    statement (its own cursors, which quote values into the text, never prepare)."""
    service = Service.objects.get(code="bacheo")

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [sql for (sql,) in cursor.fetchall()]

    for number in range(6):
        lifecycle.ticket_create(service=service, description=f"Bache {number}", channel=Channel.WEB, address="Calle 1")
        if number == 3:
            assert prepared() == []  # four executions: not yet
    [statement] = prepared()
    assert statement.startswith('WITH t AS (INSERT INTO "tickets_ticket"') and "$1" in statement
    assert Ticket.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_report_inside_a_transaction_is_part_of_it(needs_postgres, frozen):
    """A caller's transaction (an operator's intake that writes more with the ticket) holds
    the report's statement: it rolls back with it, folio number included."""
    service = Service.objects.get(code="bacheo")
    report = {"service": service, "description": "Bache", "channel": Channel.TELEFONO, "address": "Calle 1"}
    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.ticket_create(**report)
        raise RuntimeError("the caller's next write failed")
    assert not Ticket.objects.exists()
    assert lifecycle.ticket_create(**report).folio == "7311-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_receipt_refused_by_its_key_gives_the_folio_back(needs_postgres, frozen, make_ticket):
    """A second send of a form whose receipt is already stored fails inside the report's one
    statement: the ticket, its rows and its folio number all roll back, and the send is
    answered with the first ticket. The next report takes the next number: no gap."""
    from tickets.models import Submission

    service = Service.objects.get(code="bacheo")
    report = {"service": service, "description": "Bache", "channel": Channel.WEB, "address": "Calle 1"}
    first, created = reporting.submit_report(key="form-1", **report)
    assert created
    # looked_up: the caller saw no receipt (it was committed since), so the key's index refuses it.
    again, created = reporting.submit_report(key="form-1", looked_up=True, **report)
    assert (again, created) == (first, False)
    assert Ticket.objects.count() == Submission.objects.count() == 1
    assert FolioCounter.objects.get(year=2026).last_number == 1
    assert make_ticket().folio == "7311-2026-000002"


@pytest.mark.django_db(transaction=True)
def test_a_report_after_the_database_dropped_the_connection_is_saved(needs_postgres, frozen):
    """A kept connection may be dropped between two requests (a restart of PostgreSQL, a
    pooler's idle timeout). Django checks a kept connection before a request's first query
    (CONN_HEALTH_CHECKS) and opens a new one if it is gone. The report's statement, usually
    that first query, is its own check (tickets/lifecycle/together.py, _execute): without it,
    the first report on each such connection failed with "terminating connection"."""
    from tickets import catalogue

    service = catalogue.reportable("bacheo")  # as the web form has it: the statement is the first query
    lifecycle.ticket_create(service=service, description="Antes", channel=Channel.WEB, address="Calle 1")
    with _other_session() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    connection.close_if_unusable_or_obsolete()  # what Django does as the next request starts
    ticket = lifecycle.ticket_create(service=service, description="Después", channel=Channel.WEB, address="Calle 1")
    assert ticket.folio == "7311-2026-000002"
    assert Ticket.objects.filter(description="Después").exists()


@pytest.mark.django_db(transaction=True)
def test_a_report_that_fails_on_a_live_connection_is_not_sent_again(needs_postgres, frozen, monkeypatch):
    """Only a connection found gone gets the statement a second time: one that is alive
    answered for the statement itself (here a lock it could not take in time)."""
    from tickets import catalogue
    from tickets.lifecycle import together

    service = catalogue.reportable("bacheo")
    lifecycle.ticket_create(service=service, description="Antes", channel=Channel.WEB, address="Calle 1")
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    connection.close_if_unusable_or_obsolete()  # the next request: its first query is the statement
    sent = []
    bound_apart = together._bound_apart

    def once(db):
        sent.append(db)
        assert len(sent) == 1, "the statement was sent again although its connection was alive"
        return bound_apart(db)

    monkeypatch.setattr(together, "_bound_apart", once)
    with _other_session() as other, other.transaction():
        other.execute("SELECT 1 FROM tickets_foliocounter WHERE year = 2026 FOR UPDATE")
        with pytest.raises(OperationalError, match="lock timeout"):
            lifecycle.ticket_create(service=service, description="Después", channel=Channel.WEB, address="Calle 1")
    assert FolioCounter.objects.get(year=2026).last_number == 1
    assert not Ticket.objects.filter(description="Después").exists()


def _other_session():
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None, port=settings["PORT"] or None, user=settings["USER"], dbname=settings["NAME"],
        password=settings["PASSWORD"] or None, autocommit=True,
    )  # fmt: skip


def test_a_report_writes_no_index_that_no_query_reads(needs_postgres):
    """The receipt's and the notification's keys are unique without the "LIKE" twin index
    that a field's unique=True adds on PostgreSQL; a confirmation (no key) is not in the
    notifications' key index at all. Both are written by every report."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes "
            "WHERE tablename IN ('tickets_submission', 'tickets_notification')"
        )
        indexes = cursor.fetchall()
    assert not [definition for _, definition in indexes if "pattern_ops" in definition]
    keyed = sorted(definition for _, definition in indexes if "(key)" in definition)
    assert keyed == [
        "CREATE UNIQUE INDEX notification_key_unique ON public.tickets_notification USING btree (key) "
        "WHERE (key IS NOT NULL)",
        "CREATE UNIQUE INDEX submission_key_unique ON public.tickets_submission USING btree (key)",
    ]
