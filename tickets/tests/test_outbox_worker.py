"""A real Celery worker killed with SIGKILL in the middle of delivering e-mails: once a worker
is back, every promised e-mail arrives, and the only possible repeat is the one message that
was in flight (docs/reliability.md explains that window)."""

import collections
import os
import signal
import time

import pytest
from django.conf import settings

from conftest import require_service
from metepec7311.testing.celery_worker import new_queue, start_worker, stop_worker
from metepec7311.testing.smtp_server import SmtpServer
from tickets import outbox
from tickets.models import Notification
from tickets.tasks import deliver_due_notifications, deliver_pending_notifications

MESSAGES = 20


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_no_email(make_ticket, monkeypatch):
    require_service("redis", bool(settings.REDIS_URL), "run with REDIS_URL=redis://127.0.0.1:6379/0")
    inbox = SmtpServer(delay=0.15)  # slow, so the kill lands mid-delivery
    inbox.start()
    smtp = inbox.settings
    queue = new_queue()
    monkeypatch.setattr(outbox, "kick", lambda: None)  # queued below, on the test's queue
    tickets = [make_ticket(reporter_email=f"vecino{n}@example.com") for n in range(MESSAGES)]
    pending = [ticket.notifications.get().pk for ticket in tickets]
    first = start_worker(queue, **smtp)
    second = None
    try:
        assert len(pending) == MESSAGES
        deliver_pending_notifications.apply_async(queue=queue)  # what a report's commit asks for
        deadline = time.monotonic() + 60
        while len(inbox.messages) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # mid-drain: some sent, one in flight, the rest pending
        first.wait()
        delivered_before = len(set(inbox.headers("Message-ID")))
        assert 0 < delivered_before < MESSAGES

        second = start_worker(queue, **smtp)  # a worker is back; beat's sweep runs within a minute
        deliver_due_notifications.apply_async(queue=queue)
        deadline = time.monotonic() + 120
        while Notification.objects.filter(state="pendiente").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                stop_worker(process)
        inbox.stop()

    assert not Notification.objects.exclude(state="enviado").exists()
    counts = collections.Counter(inbox.headers("Message-ID"))
    assert len(counts) == MESSAGES  # every promised e-mail arrived
    repeated = [message for message, n in counts.items() if n > 1]
    assert len(repeated) <= 1 and all(counts[m] == 2 for m in repeated)  # at most the one in flight
