"""Rollups follow every ticket change and always agree with a full recount."""

from datetime import date

import pytest
from django.core.management import call_command

from conftest import local
from stats import rollups
from stats.models import ALL_SERVICES, ALL_TIME, DriftReport, Rollup
from tickets import lifecycle
from tickets.models import Colonia, Service, Ticket


def cell(grain, period, service, dimension, member, bucket):
    rollups.fold_all()  # the job that applies the lifecycle's changes, run here at once
    # All-time area and month cells add up every service (ALL_SERVICES).
    if grain == "a" and dimension in ("colonia", "locality", "mes"):
        service = None
    row = Rollup.objects.filter(
        grain=grain,
        period=period,
        service_id=service.pk if service else ALL_SERVICES,
        dimension=dimension,
        member=str(member),
        bucket=bucket,
    ).first()
    return (row.tickets, row.sla_measured, row.sla_met) if row else (0, 0, 0)


def assert_no_drift():
    assert rollups.recount() == rollups.stored()


def test_a_new_ticket_counts_in_every_grain_and_dimension(make_ticket, bacheo):
    ticket = make_ticket(at=local(2026, 12, 4, 17), latitude="19.2524", longitude="-99.6045")
    day, month = date(2026, 12, 4), date(2026, 12, 1)
    for grain, period in (("d", day), ("m", month), ("a", ALL_TIME)):
        assert cell(grain, period, bacheo, "channel", "web", "en_proceso") == (1, 0, 0)
    for grain, period in (("m", month), ("a", ALL_TIME)):
        assert cell(grain, period, bacheo, "colonia", ticket.colonia_id, "en_proceso") == (1, 0, 0)
        assert cell(grain, period, bacheo, "locality", ticket.locality_id, "en_proceso") == (1, 0, 0)
    assert not Rollup.objects.filter(grain="d", dimension="colonia").exists()
    assert_no_drift()


def test_the_creation_day_is_metepecs_not_utcs(make_ticket, bacheo):
    make_ticket(at=local(2026, 12, 31, 22, 30))  # already 1 January in UTC
    assert cell("d", date(2026, 12, 31), bacheo, "channel", "web", "en_proceso") == (1, 0, 0)
    assert cell("m", date(2026, 12, 1), bacheo, "channel", "web", "en_proceso") == (1, 0, 0)
    assert_no_drift()


def test_resolving_moves_the_ticket_and_records_sla_and_hours(make_ticket, supervisor, bacheo):
    ticket = make_ticket(at=local(2026, 12, 7, 9))
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 8, 11, 30))
    assert ticket.business_hours_to_resolve == 11.5
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "en_proceso") == (0, 0, 0)
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "resuelto") == (1, 1, 1)
    assert cell("a", ALL_TIME, bacheo, "hours", 11, "resuelto") == (1, 0, 0)
    assert_no_drift()
    lifecycle.ticket_reopen(ticket=ticket, actor=supervisor, reason="Sigue", at=local(2026, 12, 9, 10))
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "resuelto") == (0, 0, 0)
    assert cell("a", ALL_TIME, bacheo, "hours", 11, "resuelto") == (0, 0, 0)
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "en_proceso") == (1, 0, 0)
    assert_no_drift()


def test_late_resolutions_are_measured_but_not_met(make_ticket, supervisor, bacheo):
    ticket = make_ticket(at=local(2026, 12, 1, 10))
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo", at=local(2026, 12, 15, 10))
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "resuelto") == (1, 1, 0)


def test_imported_history_counts_but_is_not_measured(make_ticket, supervisor, bacheo):
    ticket = make_ticket(channel="importado", at=local(2025, 3, 3, 10))
    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Histórico", at=local(2025, 3, 4, 10))
    assert cell("a", ALL_TIME, bacheo, "channel", "importado", "resuelto") == (1, 0, 0)
    assert ticket.business_hours_to_resolve is not None  # exported, but not in the medians:
    assert not Rollup.objects.filter(dimension="hours", tickets__gt=0).exists()
    assert_no_drift()


def test_closing_without_action_and_duplicates(make_ticket, supervisor, bacheo):
    first, second, third = make_ticket(), make_ticket(), make_ticket()
    lifecycle.ticket_close_no_procede(ticket=first, actor=supervisor, reason="No municipal")
    lifecycle.ticket_mark_duplicate(ticket=second, parent=third, actor=supervisor)
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "cerrado_sin_atencion") == (2, 0, 0)
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "en_proceso") == (1, 0, 0)
    assert_no_drift()


def test_correcting_service_or_colonia_moves_the_counts(make_ticket, supervisor, bacheo, fuga_agua):
    ticket = make_ticket()
    other = Colonia.objects.get(name="Arcos del Prado")
    lifecycle.ticket_update_details(ticket=ticket, actor=supervisor, service=fuga_agua, colonia=other)
    assert cell("a", ALL_TIME, bacheo, "channel", "web", "en_proceso") == (0, 0, 0)
    assert cell("a", ALL_TIME, fuga_agua, "channel", "web", "en_proceso") == (1, 0, 0)
    assert cell("a", ALL_TIME, fuga_agua, "colonia", other.pk, "en_proceso") == (1, 0, 0)
    assert_no_drift()


def test_demo_seeding_and_later_changes_stay_consistent(frozen, supervisor):
    call_command("seed_demo", tickets=300, verbosity=0)
    assert_no_drift()
    from tickets.models import Ticket

    for ticket in Ticket.objects.open()[:20]:
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo")
    assert_no_drift()


def test_the_nightly_reconciliation_reports_and_repairs_drift(make_ticket, bacheo, capsys):
    make_ticket()
    make_ticket("fuga-agua")
    report = rollups.reconcile()
    assert report.cells_drifted == 0 and report.cells_checked > 0  # pending changes included
    rollups.fold_all()
    Rollup.objects.filter(grain="a", dimension="channel", service_id=bacheo.pk).update(tickets=7)  # a lost update
    Rollup.objects.create(
        grain="a",
        period=ALL_TIME,
        service_id=Service.objects.get(code="alumbrado").pk,
        dimension="channel",
        member="web",
        bucket="resuelto",
        tickets=3,
    )  # a phantom
    call_command("reconcile_stats")
    report = DriftReport.objects.first()
    assert report.cells_drifted == 2 and report.repaired
    assert {tuple(item["cell"][3:5]) for item in report.sample} == {("channel", "web")}
    assert "2 con diferencias" in capsys.readouterr().out
    assert_no_drift()
    assert rollups.reconcile().cells_drifted == 0


def test_rebuild_from_scratch_equals_the_incremental_rollups(make_ticket, supervisor):
    for code in ("bacheo", "alumbrado", "fuga-agua"):
        ticket = make_ticket(code)
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo")
    make_ticket("bacheo", channel="telefono")
    incremental = rollups.stored()
    rollups.rebuild()
    assert rollups.stored() == incremental


def test_ratings_are_counted_per_service_department_and_rating(make_ticket, supervisor, bacheo):
    from surveys.satisfaction import rate

    tickets = [make_ticket("bacheo") for _ in range(3)]
    for ticket, rating in zip(tickets, (5, 5, 2), strict=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Listo")
        rate(ticket=ticket, rating=rating)
    department = bacheo.department_id
    month = tickets[0].created_at.astimezone(local(2026, 1, 1).tzinfo).date().replace(day=1)
    assert cell("a", ALL_TIME, bacheo, "rating", f"{department}-5", "resuelto") == (2, 0, 0)
    assert cell("m", month, bacheo, "rating", f"{department}-2", "resuelto") == (1, 0, 0)
    assert_no_drift()  # the nightly recount sees the same ratings


def test_migrate_recounts_rollups_a_migration_emptied(make_ticket, supervisor):
    lifecycle.ticket_resolve(ticket=make_ticket("bacheo"), actor=supervisor, public_note="Listo")
    make_ticket("alumbrado")
    from surveys.satisfaction import rate

    rate(ticket=Ticket.objects.get(status="resuelto"), rating=4)
    incremental = rollups.stored()
    Rollup.objects.all().delete()  # what a migration reshaping the rollups does
    call_command("migrate", verbosity=0)
    assert rollups.stored() == incremental
    assert_no_drift()


def run_together(*works):
    """Run each callable in its own thread (and database connection), all released at
    once; return the exceptions they raised."""
    import threading

    from django.db import connection

    barrier, errors = threading.Barrier(len(works)), []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as exc:  # returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def report_potholes(service, count):
    def report():
        for _ in range(count):
            lifecycle.ticket_create(service=service, description="Bache", channel="web", address="Calle 1")

    return report


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_keep_the_counts_exact_on_postgresql(needs_postgres):
    """Many tickets created at once while two workers fold: nothing lost, nothing twice."""
    service = Service.objects.get(code="bacheo")

    def fold_meanwhile():
        for _ in range(20):
            rollups.fold(limit=7)

    assert run_together(*[report_potholes(service, 5)] * 6, fold_meanwhile, fold_meanwhile) == []
    assert_no_drift()  # the rollups plus what is still pending
    rollups.fold_all()
    assert Rollup.objects.get(grain="a", service_id=service.pk, dimension="channel", member="web").tickets == 30
    assert_no_drift()


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_while_tickets_arrive_counts_each_once_on_postgresql(needs_postgres):
    """The nightly repair runs while residents report: no ticket is lost or counted twice."""
    service = Service.objects.get(code="bacheo")

    def repair():
        for _ in range(3):
            rollups.rebuild()

    assert run_together(*[report_potholes(service, 8)] * 3, repair, repair) == []
    rollups.fold_all()
    assert Rollup.objects.get(grain="a", service_id=service.pk, dimension="channel", member="web").tickets == 24
    assert_no_drift()


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_wait_for_each_other_on_postgresql(needs_postgres, make_ticket):
    """A manual `recompute_stats --rebuild` during the nightly repair: the second waits."""
    import threading

    from django.db import connection, transaction

    make_ticket("bacheo")
    first_done, release, errors = threading.Event(), threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                rollups.rebuild()
                first_done.set()
                release.wait(10)  # still holding its rows while the second one starts
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def second():
        try:
            first_done.wait(10)
            rollups.rebuild()
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_done.wait(10)
    with connection.cursor() as cursor:
        for _ in range(100):  # until the second rebuild is waiting for a lock
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
    release.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_no_drift()
