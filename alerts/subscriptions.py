"""Subscribing with double opt-in, confirming, ending, and forgetting (docs/alerts.md).

- `subscribe()` records the request and promises the confirmation e-mail through the outbox,
  in one transaction. The same address and target again reuses the live row: no duplicate
  subscription, and at most one confirmation e-mail per subscription per day (its outbox key)
  and CONFIRMATIONS_PER_ADDRESS a day per address (a stranger typing someone else's address
  cannot flood them). The answer to the visitor never says whether the address was known.
- Nothing but the confirmation is sent until the link in it is opened (`confirm()`); a
  request not confirmed within ALERTS_CONFIRM_DAYS expires and is deleted by `purge()`.
- `end()` (the unsubscribe link, one click, no login) stops everything at once; the row is
  deleted ALERTS_RETENTION_DAYS later, with the address.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts.models import AlertMessage, Subscription
from tickets import outbox
from tickets.models import Notification

State = Subscription.State
CONFIRMATIONS_PER_ADDRESS = 5


def _day(moment):
    return timezone.localtime(moment).date().isoformat()


def subscribe(*, email, scope, now=None, **target):
    """Record (or find) the subscription and promise its confirmation; returns it."""
    now = now or timezone.now()
    email = email.strip().lower()
    key = Subscription.target_of(scope=scope, **target)
    with transaction.atomic():
        subscription = _live(email, key)
        if subscription is not None and subscription.state == State.PENDING and expired(subscription, now):
            subscription.delete()  # a stale request: start again, with a new link
            subscription = None
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=email, scope=scope, target=key, created_at=now, **target
                    )
            except IntegrityError:  # the same request at the same moment (a double click)
                subscription = _live(email, key)
        if subscription.state == State.PENDING:
            _promise_confirmation(subscription, now)
    return subscription


def _live(email, key):
    return Subscription.objects.select_for_update().filter(email=email, target=key).exclude(state=State.ENDED).first()


def expired(subscription, now=None):
    now = now or timezone.now()
    return subscription.created_at < now - timedelta(days=settings.ALERTS_CONFIRM_DAYS)


def _promise_confirmation(subscription, now):
    key = f"alerta-confirmar:{subscription.pk}:{_day(now)}"
    if Notification.objects.filter(key=key).exists():
        return None
    since = now - timedelta(days=1)
    asked_today = AlertMessage.objects.filter(
        subscription__email=subscription.email,
        notification__kind=Notification.Kind.ALERT_CONFIRM,
        notification__created_at__gte=since,
    ).count()
    if asked_today >= CONFIRMATIONS_PER_ADDRESS:
        return None
    notification = Notification.objects.create(kind=Notification.Kind.ALERT_CONFIRM, key=key, created_at=now)
    AlertMessage.objects.create(notification=notification, subscription=subscription)
    transaction.on_commit(outbox.kick)
    return notification


def by_token(token):
    return (
        Subscription.objects.select_related("ticket", "colonia", "locality", "service").filter(token=token).first()
        if token
        else None
    )


def confirm(subscription, now=None):
    """The link of the confirmation e-mail: the subscription starts now (its first digest
    tells what happens from now on). Idempotent; an expired request cannot be confirmed."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.state == State.PENDING and not expired(subscription, now):
            subscription.state, subscription.confirmed_at = State.ACTIVE, now
            subscription.covered_until = now
            subscription.next_digest_at = now + timedelta(hours=settings.ALERTS_DIGEST_HOURS)
            subscription.save(update_fields=["state", "confirmed_at", "covered_until", "next_digest_at"])
    return subscription


def end(subscription, now=None):
    """Unsubscribe: nothing more is sent (a digest already promised is skipped on delivery)."""
    now = now or timezone.now()
    Subscription.objects.filter(pk=subscription.pk).exclude(state=State.ENDED).update(
        state=State.ENDED, ended_at=now, next_digest_at=None
    )
    subscription.refresh_from_db()
    return subscription


def purge(now=None):
    """Delete requests never confirmed within ALERTS_CONFIRM_DAYS and subscriptions ended
    more than ALERTS_RETENTION_DAYS ago (their addresses with them); returns how many."""
    now = now or timezone.now()
    expired = Subscription.objects.filter(
        state=State.PENDING, created_at__lt=now - timedelta(days=settings.ALERTS_CONFIRM_DAYS)
    )
    ended = Subscription.objects.filter(
        state=State.ENDED, ended_at__lt=now - timedelta(days=settings.ALERTS_RETENTION_DAYS)
    )
    return expired.delete()[1].get("alerts.Subscription", 0) + ended.delete()[1].get("alerts.Subscription", 0)
