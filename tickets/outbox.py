"""Delivering the outbox (tickets/models/outbox.py): every promised e-mail arrives once the
parts are back, and none is sent twice by two workers.

- `promise()` runs inside the change's transaction: the message exists if and only if the
  change does. Once committed, a task is asked to deliver it at once; if the broker cannot
  take it, nothing fails (the change is saved) and the sweep delivers it later.
- `deliver()` locks the row (a second worker skips it), renders the message from the ticket
  as it is now, sends it and marks it sent in the same transaction. A failure is recorded
  and tried again with backoff; after the last attempt it is marked failed, which staff see
  in the admin (Avisos por correo) and can send again.
- `deliver_due()` is the sweep (beat, every minute): every pending message whose time has
  come, including those whose task was lost with a broker or a killed worker.

A worker killed between the SMTP server's "accepted" and the commit leaves the message
pending, and it is sent again: the window is that one round trip. Every copy carries the same
Message-ID, so mail systems that deduplicate show it once.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tickets import notifications
from tickets.models import Notification

logger = logging.getLogger(__name__)

# Seconds to wait after each failed attempt; the message is marked failed after the last.
BACKOFF = (60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1
SWEEP_BATCH = 500
State = Notification.State


def promise(kind, ticket):
    """Record the message in the caller's transaction; deliver it once that commits."""
    notification = Notification.objects.create(kind=kind, ticket=ticket)
    transaction.on_commit(lambda: _request_delivery(notification.pk))
    return notification


def _request_delivery(notification_id):
    from tickets.tasks import deliver_notification

    try:
        # No publish retries: with the broker down the request must not wait; the sweep
        # delivers it. In eager mode (no broker) this delivers in the process.
        deliver_notification.apply_async(kwargs={"notification_id": notification_id}, retry=False)
    except Exception:  # the change is committed; nothing here may turn it into an error page
        logger.warning("notification %s: delivery not queued, the sweep will send it", notification_id, exc_info=True)


def deliver(notification_id, now=None):
    """Send one pending message; returns its state afterwards (None if not pending or taken)."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__service", "ticket__department", "ticket__assignee")
            .filter(pk=notification_id, state=State.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        try:
            message = notifications.build(notification)
            if message is not None:
                message.send()
        # Any failure is an attempt that counts (an SMTP refusal as much as a template error):
        # it is retried with backoff and ends visibly failed, never retried every minute forever.
        except Exception as error:
            _failed(notification, error, now)
        else:
            if message is None:  # nobody to tell any more (no e-mail, or no longer resolved)
                notification.state = State.SKIPPED
            else:
                notification.state, notification.sent_at, notification.last_error = State.SENT, now, ""
        notification.save(update_fields=["state", "attempts", "sent_at", "next_attempt_at", "last_error"])
    return notification.state


def _failed(notification, error, now):
    notification.last_error = f"{type(error).__name__}: {error}"[:300]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.state = State.FAILED
        logger.error("notification %s failed after %s attempts", notification.pk, notification.attempts)
    else:
        notification.next_attempt_at = now + timedelta(seconds=BACKOFF[notification.attempts - 1])


def deliver_due(now=None):
    """The sweep: deliver every pending message whose time has come; returns how many were sent."""
    now = now or timezone.now()
    due = Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at")
    return sum(deliver(pk, now) == State.SENT for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]))


def send_again(queryset):
    """Staff asked to retry failed messages: pending again, delivered now."""
    ids = list(queryset.exclude(state=State.SENT).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
    for pk in ids:
        transaction.on_commit(lambda pk=pk: _request_delivery(pk))
    return len(ids)
