"""The satisfaction survey of a resolved ticket, on the reporter's private page.

First "¿Se resolvió el problema?": "No" reopens the ticket through the lifecycle, "Sí"
does not; either way a 1–5 rating with an optional comment follows, accepted once per ticket.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from stats import rollups
from surveys.models import TicketSatisfaction
from tickets.models import Status, TicketEvent


class AlreadyRated(Exception):
    pass


def may_rate_unsolved(ticket):
    """The reporter said "No, no se resolvió" and reopened it: their verdict counts too."""
    return ticket.is_open and ticket.events.filter(kind=TicketEvent.Kind.REOPENED, actor__isnull=True).exists()


def rate(*, ticket, rating, comment="", solved=True):
    """Record the reporter's rating of a resolved ticket — or of one they reopened because
    it was not solved, so unhappy residents are not left out of the figures; once per ticket."""
    if solved and ticket.status != Status.RESUELTO:
        raise ValueError("only resolved tickets are rated as solved")
    if not solved and not may_rate_unsolved(ticket):
        raise ValueError("only tickets the reporter reopened are rated as not solved")
    try:
        with transaction.atomic():
            satisfaction = TicketSatisfaction.objects.create(
                ticket=ticket,
                service_id=ticket.service_id,
                department_id=ticket.department_id,
                ticket_month=timezone.localtime(ticket.created_at).date().replace(day=1),
                rating=rating,
                solved=solved,
                comment=comment.strip(),
            )
            rollups.record_ratings([satisfaction])  # the public statistics count it from here
    except IntegrityError:
        raise AlreadyRated from None
    return satisfaction


def existing(ticket):
    return TicketSatisfaction.objects.filter(ticket=ticket).first()
