"""Celery tasks of residents' alerts: thin doors to the modules."""

from celery import shared_task


@shared_task(time_limit=600)
def resident_alerts():
    """Every 15 minutes (beat): promise the digests that are due (alerts/digests.py), and
    delete expired requests and old unsubscriptions (alerts/subscriptions.py)."""
    from alerts import digests, subscriptions

    return {"digests": digests.send_digests(), "deleted": subscriptions.purge()}
