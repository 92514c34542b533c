"""Celery tasks of the tickets app: thin doors that take ids and call a module."""

from celery import shared_task

from tickets import outbox


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=300)
def deliver_pending_notifications():
    """Right after a change promised a message (outbox.kick): every pending one, at once."""
    return outbox.drain()


@shared_task(time_limit=300)
def deliver_due_notifications():
    """Every minute (beat): pending e-mails whose time has come, including lost tasks'."""
    return outbox.deliver_due()


@shared_task(time_limit=300)
def staff_alerts():
    """Every five minutes (beat): por vencer alerts, and at the start of the working day the
    departments' digests and the reminders of tickets still overdue (tickets/alerts.py)."""
    from tickets import alerts

    return alerts.due_soon() + alerts.start_of_day()


@shared_task(time_limit=300)
def mark_overdue():
    """Every few minutes (beat): record the breach of tickets that just passed their due date."""
    from tickets.lifecycle import tickets_mark_overdue

    return _until_none_left(tickets_mark_overdue)


@shared_task(time_limit=600)
def purge_pending_photos():
    """Daily (beat): photos of report forms never sent again."""
    from tickets.reporting import purge_pending

    return purge_pending()


@shared_task(time_limit=600)
def erase_personal_data():
    """Daily (beat): the reporter's contact data of tickets closed longer than the retention."""
    from tickets.lifecycle import tickets_erase_personal_data

    return _until_none_left(tickets_erase_personal_data)


def _until_none_left(batch):
    """Run a lifecycle batch job (500 tickets a call) until a call finds none; the total."""
    total = 0
    while done := batch():
        total += done
    return total


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=3600, soft_time_limit=3500)
def run_import(*, run_id):
    """An import uploaded in the admin (tickets/imports/runs.py)."""
    from tickets.imports import runs

    return runs.execute(run_id)


@shared_task(time_limit=120)
def sweep_imports():
    """Every minute (beat): imports queued while the broker was down, or whose worker died."""
    from tickets.imports import runs

    return runs.sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=120)
def clean_incoming_photos(*, ticket_id):
    """After a report commits: clean its photos and record them (idempotent)."""
    from tickets.lifecycle import incoming_photos

    return incoming_photos.clean(ticket_id)


@shared_task(time_limit=300)
def sweep_incoming_photos():
    """Every minute (beat): report photos still waiting (a task not queued, a worker down)."""
    from tickets.lifecycle import incoming_photos

    return incoming_photos.sweep()
