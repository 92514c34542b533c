"""Celery tasks of the tickets app: thin doors that take ids and call a module."""

from celery import shared_task

from tickets import notifications
from tickets.models import Ticket


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, time_limit=60)
def notify_reopened(*, ticket_id):
    """Tell the department (and the assignee) that a resolved ticket came back."""
    ticket = Ticket.objects.select_related("department", "assignee", "service").filter(pk=ticket_id).first()
    if ticket is not None:
        notifications.send_reopened_notice(ticket)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, time_limit=60)
def send_report_confirmation(*, ticket_id):
    """The folio, the due date and the private link, to the reporter's e-mail."""
    ticket = Ticket.objects.select_related("service", "department").filter(pk=ticket_id).first()
    if ticket is not None and ticket.reporter_email:
        notifications.send_report_confirmation(ticket)


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


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, time_limit=60)
def notify_reporter_resolved(*, ticket_id):
    """Tell the reporter what was done and ask "¿Se resolvió el problema?"."""
    ticket = Ticket.objects.select_related("service", "department").filter(pk=ticket_id).first()
    if ticket is not None and ticket.reporter_email and ticket.status == "resuelto":
        notifications.send_resolution_notice(ticket)
