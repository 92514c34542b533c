"""Delivering the outbox (tickets/models/outbox.py): every promised e-mail arrives once the
parts are back, and none is sent twice by two workers.

- `promise()` runs inside the change's transaction: the message exists if and only if the
  change does. Once committed, a worker is asked to deliver what is pending (`kick()`); if
  the broker cannot take the request, nothing fails (the change is saved) and the sweep
  delivers it later.
- `kick()` asks for one drain (`deliver_due()` in a task) at a time: a flag in the shared
  cache says a drain is already asked for and has not started, so a burst of reports
  publishes one task, not one each (publishing cost a report about a tenth of its time).
  The drain clears the flag *before* it reads the pending rows: a message committed after
  that read finds the flag clear and asks for another drain, so none waits for the sweep.
  The flag expires (KICK_SECONDS) in case the asked-for drain is lost with its worker.
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

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from metepec7311 import cache_batch
from tickets import notifications
from tickets.models import Notification

logger = logging.getLogger(__name__)

# Seconds to wait after each failed attempt; the message is marked failed after the last.
BACKOFF = (60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1
SWEEP_BATCH = 500
KICK_KEY = "outbox:drain-asked"
KICK_SECONDS = 10
CLOCK_SLACK = timedelta(seconds=5)
State = Notification.State


def promise(kind, ticket=None, *, recipient=None, channel=Notification.Channel.EMAIL):
    """Record the message in the caller's transaction; deliver it once that commits."""
    notification = promised(kind, ticket, recipient=recipient, channel=channel)
    notification.save(force_insert=True)
    written(notification)
    return notification


def promised(kind, ticket=None, *, recipient=None, channel=Notification.Channel.EMAIL):
    """The message of `promise()`, unsaved, for the caller to write (a new ticket's confirmation
    is written with the ticket, tickets/lifecycle/together.py) and then pass to `written()`."""
    return Notification(kind=kind, ticket=ticket, recipient=recipient, channel=channel)


def written(notification):
    """The promised message's row is written: ask for its delivery once that commits. Only
    after the write, because a write with no transaction around it (a report that is one
    statement) has committed already, and Django then runs the hook at once."""
    if notification is not None:
        transaction.on_commit(kick)  # runs only if the transaction, and so the row, commits


def promise_update(ticket):
    """A public change the reporter hears about: one e-mail per change, or one for several
    that come within RESIDENT_DIGEST_MINUTES (the first change's message waits that long
    and tells everything public since the last update). Called under the ticket's row lock,
    so two changes never both find no pending update."""
    waiting = Notification.objects.filter(ticket=ticket, kind=Notification.Kind.UPDATE, state=State.PENDING)
    if waiting.exists():
        return None
    at = timezone.now() + timedelta(minutes=settings.RESIDENT_DIGEST_MINUTES)
    return Notification.objects.create(kind=Notification.Kind.UPDATE, ticket=ticket, next_attempt_at=at)


def promise_once(rows):
    """Messages of periodic jobs, each with its `key`: the ones already promised (by this job
    on an earlier run, or by another worker right now) are skipped by the unique key. Returns
    how many are new."""
    rows = list(rows)
    if not rows:
        return 0
    keys = [row.key for row in rows]
    before = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    Notification.objects.bulk_create([row for row in rows if row.key not in before], ignore_conflicts=True)
    transaction.on_commit(kick)
    return len(set(keys) - before)


def kick():
    """Ask a worker to deliver what is pending, unless a drain is already asked for (the flag
    is set with the report's other cache writes, metepec7311/cache_batch.py)."""
    cache_batch.add(KICK_KEY, 1, KICK_SECONDS, then=_ask_for_drain)


def _ask_for_drain(flag_was_clear):
    from tickets.tasks import deliver_pending_notifications

    # False: another request asked and that drain has not started. None (the cache is
    # unreachable): nobody knows, so ask; the broker is most likely down too, and then the
    # sweep delivers.
    if flag_was_clear is False:
        return
    try:
        # No publish retries: with the broker down the request must not wait. In eager mode
        # (no broker) this delivers in the process.
        deliver_pending_notifications.apply_async(retry=False)
    except Exception:  # the change is committed; nothing here may turn it into an error page
        logger.warning("delivery not queued, the sweep will send what is pending", exc_info=True)


def drain(now=None):
    """The asked-for delivery: clear the flag first (see the module's docstring), then send.
    Messages created up to CLOCK_SLACK "in the future" count as due: they were stamped by the
    web server's clock, which may run a little ahead of this worker's."""
    cache.delete(KICK_KEY)
    return deliver_due(now, slack=CLOCK_SLACK)


def deliver(notification_id, now=None):
    """Send one pending message; returns its state afterwards (None if not pending or taken)."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__service", "ticket__department", "ticket__assignee", "recipient", "department")
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
            if message is None:  # nobody to tell any more (no e-mail, no longer true, may not see it)
                notification.state = State.SKIPPED
            else:
                notification.state, notification.sent_at, notification.last_error = State.SENT, now, ""
        notification.save(
            update_fields=["state", "attempts", "sent_at", "next_attempt_at", "last_error", "covers_event"]
        )
    return notification.state


def _failed(notification, error, now):
    notification.last_error = f"{type(error).__name__}: {error}"[:300]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.state = State.FAILED
        logger.error("notification %s failed after %s attempts", notification.pk, notification.attempts)
    else:
        notification.next_attempt_at = now + timedelta(seconds=BACKOFF[notification.attempts - 1])


def deliver_due(now=None, slack=timedelta(0)):
    """The sweep: deliver every pending message whose time has come; returns how many were sent."""
    now = now or timezone.now()
    due = Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now + slack).order_by("next_attempt_at")
    return sum(deliver(pk, now) == State.SENT for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]))


def send_again(queryset):
    """Staff asked to retry failed messages: pending again, delivered now."""
    ids = list(queryset.exclude(state=State.SENT).values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(state=State.PENDING, attempts=0, next_attempt_at=timezone.now())
    transaction.on_commit(kick)
    return len(ids)
