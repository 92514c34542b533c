"""Helpers of the alerts tests."""

from alerts import subscriptions
from tickets import outbox


def subscribed(email, **target):
    """A confirmed subscription (the confirmation e-mail delivered and its link opened)."""
    subscription = subscriptions.subscribe(email=email, **target)
    outbox.deliver_due()
    return subscriptions.confirm(subscription)


def to(mailoutbox, address):
    return [m for m in mailoutbox if address in m.to]
