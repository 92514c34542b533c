"""The satisfaction survey of a resolved ticket, on the reporter's private page.

First "¿Se resolvió el problema?": "No" reopens the ticket through the lifecycle; "Sí"
leads to a 1–5 rating with an optional comment, accepted once per ticket.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.models import TicketSatisfaction
from tickets.models import Status


class AlreadyRated(Exception):
    pass


def rate(*, ticket, rating, comment=""):
    """Record the reporter's rating of a resolved ticket; once per ticket."""
    if ticket.status != Status.RESUELTO:
        raise ValueError("only resolved tickets are rated")
    try:
        with transaction.atomic():
            return TicketSatisfaction.objects.create(
                ticket=ticket,
                service_id=ticket.service_id,
                department_id=ticket.department_id,
                ticket_month=timezone.localtime(ticket.created_at).date().replace(day=1),
                rating=rating,
                comment=comment.strip(),
            )
    except IntegrityError:
        raise AlreadyRated from None


def existing(ticket):
    return TicketSatisfaction.objects.filter(ticket=ticket).first()
