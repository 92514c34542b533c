"""Celery tasks of the tickets app: thin doors that take ids and call a module."""

from celery import shared_task

from tickets import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=60)
def deliver_notification(*, notification_id):
    """Deliver one e-mail of the outbox at once (idempotent: a sent one is not sent again)."""
    return outbox.deliver(notification_id)


@shared_task(time_limit=300)
def deliver_due_notifications():
    """Every minute (beat): pending e-mails whose time has come, including lost tasks'."""
    return outbox.deliver_due()


@shared_task(time_limit=300)
def mark_overdue():
    """Every few minutes (beat): record the breach of tickets that just passed their due date."""
    from tickets.lifecycle import tickets_mark_overdue

    total = 0
    while True:  # batches of 500 until none is left
        marked = tickets_mark_overdue()
        total += marked
        if marked == 0:
            return total


@shared_task(time_limit=600)
def purge_pending_photos():
    """Daily (beat): photos of report forms never sent again."""
    from tickets.reporting import purge_pending

    return purge_pending()


@shared_task(time_limit=600)
def erase_personal_data():
    """Daily (beat): the reporter's contact data of tickets closed longer than the retention."""
    from tickets.lifecycle import tickets_erase_personal_data

    total = 0
    while True:  # batches of 500 until none is left
        erased = tickets_erase_personal_data()
        total += erased
        if erased == 0:
            return total
