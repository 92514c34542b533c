"""No promised e-mail is lost (tickets/outbox.py): written with the change, delivered when the
broker, the worker and the SMTP server allow, never twice. Real SMTP servers (aiosmtpd) and a
real Redis broker that the tests stop."""

import logging
import time
from datetime import timedelta

import pytest
from django.db import transaction

from metepec7311.celery import app as celery_app
from metepec7311.testing.smtp_server import SmtpServer
from tickets import lifecycle, outbox
from tickets.models import Notification

State = Notification.State


@pytest.fixture
def smtp(settings):
    """An SMTP server the portal sends to; `start()` brings it up."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = server.settings["EMAIL_BACKEND"]
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    yield server
    server.stop()


def report_with_email(make_ticket, **kwargs):
    return make_ticket(reporter_email="rosa@example.com", **kwargs)


def test_a_report_promises_its_confirmation_in_its_own_transaction(make_ticket, frozen):
    with pytest.raises(RuntimeError), transaction.atomic():
        report_with_email(make_ticket)
        raise RuntimeError("the report failed after the promise")
    assert Notification.objects.count() == 0  # no message about a report that does not exist
    ticket = report_with_email(make_ticket)
    assert list(ticket.notifications.values_list("kind", "state")) == [("confirmacion", "pendiente")]


def test_smtp_down_then_back_the_confirmation_arrives_once(
    make_ticket, frozen, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = report_with_email(make_ticket)  # SMTP refuses: the report is saved anyway
    notification = ticket.notifications.get()
    assert (notification.state, notification.attempts) == (State.PENDING, 1)
    assert "ConnectionRefusedError" in notification.last_error
    assert notification.next_attempt_at == notification.created_at + timedelta(seconds=outbox.BACKOFF[0])

    smtp.start()
    assert outbox.deliver_due() == 0  # not yet: it waits its backoff
    frozen.shift(timedelta(seconds=outbox.BACKOFF[0]))
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0  # sent once, never again
    assert smtp.subjects() == [f"Recibimos su reporte: folio {ticket.folio}"]
    assert smtp.messages[0].rcpt_tos == ["rosa@example.com"]
    assert f"<aviso-{notification.pk}@" in smtp.messages[0].content.decode()  # same id on every attempt
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == (State.SENT, 2, "")


def test_after_the_last_attempt_staff_see_it_failed_and_send_it_again(
    client, make_ticket, frozen, smtp, supervisor, django_capture_on_commit_callbacks
):
    ticket = report_with_email(make_ticket)
    notification = ticket.notifications.get()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(notification.pk)
        frozen.shift(timedelta(hours=7))
    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == (State.FAILED, outbox.MAX_ATTEMPTS)
    assert outbox.deliver_due() == 0  # a failed message waits for staff

    client.force_login(supervisor)
    listing = client.get("/admin/tickets/notification/?state__exact=fallido")
    assert listing.status_code == 200 and ticket.folio in listing.text and "ConnectionRefusedError" in listing.text
    smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/tickets/notification/",
            {"action": "send_again", "_selected_action": [notification.pk]},
            follow=True,
        )
    assert response.status_code == 200 and "1 aviso(s) en camino de nuevo" in response.text
    assert smtp.subjects() == [f"Recibimos su reporte: folio {ticket.folio}"]
    notification.refresh_from_db()
    assert notification.state == State.SENT


def test_a_message_no_longer_true_is_not_sent(make_ticket, obras_staff, frozen, mailoutbox):
    ticket = report_with_email(make_ticket)
    ticket = lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Bache tapado.")
    lifecycle.ticket_reopen(ticket=ticket, actor=None, reason="Sigue el bache")
    resolved = ticket.notifications.get(kind=Notification.Kind.RESOLVED)
    assert outbox.deliver(resolved.pk) == State.SKIPPED  # the ticket was reopened since
    assert [m.subject for m in mailoutbox] == []


def test_two_workers_never_send_the_same_message(make_ticket, frozen, mailoutbox):
    notification = report_with_email(make_ticket).notifications.get()
    assert outbox.deliver(notification.pk) == State.SENT
    assert outbox.deliver(notification.pk) is None  # already sent: the second one does nothing
    assert len(mailoutbox) == 1


@pytest.mark.real_worker  # tasks are published to the broker, not run in the test process
def test_broker_down_staff_resolve_without_error_and_the_resident_is_told_later(
    own_redis, make_ticket, obras_staff, frozen, mailoutbox, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    ticket = report_with_email(make_ticket)
    outbox.deliver(ticket.notifications.get().pk)  # the confirmation went out before the outage
    use_broker(monkeypatch, own_redis.url)
    own_redis.stop()
    with caplog.at_level(logging.WARNING, logger="tickets.outbox"), django_capture_on_commit_callbacks(execute=True):
        lifecycle.ticket_resolve(ticket=ticket, actor=obras_staff, public_note="Bache tapado.")  # no exception
    assert "delivery not queued" in caplog.text
    notice = ticket.notifications.get(kind=Notification.Kind.RESOLVED)
    assert notice.state == State.PENDING and len(mailoutbox) == 1

    own_redis.start()  # the broker is back; beat's sweep runs within the minute
    assert outbox.deliver_due() == 1
    assert [m.subject for m in mailoutbox][1:] == [f"Su reporte {ticket.folio} fue atendido"]
    assert outbox.deliver_due() == 0


def use_broker(monkeypatch, url):
    """Publish through the broker under test, not through connections pooled before."""
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    for owner, pool in ((celery_app, "_pool"), (celery_app.amqp, "_producer_pool")):
        monkeypatch.setattr(owner, pool, None)


def test_a_bug_while_rendering_counts_as_a_failed_attempt_not_an_endless_loop(make_ticket, frozen, monkeypatch):
    notification = report_with_email(make_ticket).notifications.get()

    def broken(notification):
        raise RuntimeError("template missing")

    monkeypatch.setattr(outbox.notifications, "build", broken)
    assert outbox.deliver(notification.pk) == State.PENDING
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.last_error == "RuntimeError: template missing"
    assert outbox.deliver_due() == 0  # waits its backoff instead of failing every minute


@pytest.fixture
def published(monkeypatch):
    """The drains asked of the broker (not run: the test plays the worker)."""
    from tickets.tasks import deliver_pending_notifications

    asked = []
    monkeypatch.setattr(deliver_pending_notifications, "apply_async", lambda **kwargs: asked.append(kwargs))
    return asked


def test_a_burst_of_reports_asks_for_one_drain_and_it_delivers_them_all(
    make_ticket, frozen, mailoutbox, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tickets = [make_ticket(reporter_email=f"vecino{n}@example.com") for n in range(3)]
    assert len(published) == 1  # one task for the burst, not one per report
    assert outbox.drain() == 3  # the worker takes it: every pending message
    assert sorted(m.to[0] for m in mailoutbox) == [t.reporter_email for t in tickets]
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(reporter_email="rosa@example.com")
    assert len(published) == 2  # that drain started: the next report asks again


def test_a_message_committed_while_a_drain_reads_asks_for_the_next_one(
    make_ticket, frozen, mailoutbox, published, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(reporter_email="rosa@example.com")
    reading = outbox.deliver_due

    def commit_meanwhile(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            make_ticket(reporter_email="tono@example.com")  # lands just as the drain reads
        return reading(*args, **kwargs)

    monkeypatch.setattr(outbox, "deliver_due", commit_meanwhile)
    outbox.drain()
    # Whether or not the drain's read saw the second message, another drain is asked for:
    # nothing is left waiting for the minute's sweep.
    assert len(published) == 2


def test_a_lost_drain_request_expires_and_the_next_change_asks_again(
    make_ticket, frozen, published, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "KICK_SECONDS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(reporter_email="rosa@example.com")  # asked; its worker dies before starting
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(reporter_email="tono@example.com")
    assert len(published) == 1
    frozen.shift(timedelta(seconds=2))  # the flag expires: in the process's memory cache,
    time.sleep(1.1)  # and in Redis, which keeps its own clock
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(reporter_email="lupe@example.com")
    assert len(published) == 2


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_report_tells_redis_in_one_round_trip(needs_postgres, frozen, published, monkeypatch):
    """A report written by one statement commits by itself; its two cache writes after that
    (the tickets' version forgotten, a drain asked for) go to Redis in one pipeline, once
    the statement is back (metepec7311/cache_batch.py)."""
    from django.conf import settings
    from django.core.cache import cache

    from conftest import require_service
    from metepec7311.cache import RedisCache
    from tickets import changes
    from tickets.models import Channel, Service, Ticket

    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    sent = []
    together = RedisCache.together

    def counted(self, operations):
        sent.append((operations, Ticket.objects.count()))
        return together(self, operations)

    monkeypatch.setattr(RedisCache, "together", counted)
    cache.delete(outbox.KICK_KEY)
    assert changes.version() == 0  # kept in Redis now
    service = Service.objects.get(code="bacheo")
    ticket = lifecycle.ticket_create(service=service, description="Bache", channel=Channel.WEB,
                                     address="Calle 1", reporter_email="rosa@example.com")  # fmt: skip
    [(operations, tickets_then)] = sent
    assert [operation[0] for operation in operations] == ["delete_many", "add"]
    assert tickets_then == 1  # after the write
    assert changes.version() == ticket.events.get().pk  # forgotten, so read again
    assert cache.get(outbox.KICK_KEY) == 1 and len(published) == 1
    cache.delete(outbox.KICK_KEY)
