from celery import shared_task

from visits import buffer


@shared_task(name="visits.tasks.flush_visits", acks_late=True, ignore_result=True)
def flush_visits():
    """Every minute (beat): the counts waiting in Redis (or in this process) to the daily rows."""
    return buffer.current().flush()
