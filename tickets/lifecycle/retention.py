"""Personal data is kept no longer than needed (Mexico's data-protection law, LGPDPPSO):
the reporter's name, phone and e-mail are erased PERSONAL_DATA_RETENTION_DAYS after the ticket
closed (a daily Celery beat job). The ticket, its public history and its numbers stay; the
trail records the erasure. A ticket reopened in the meantime is open again, so it waits.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tickets.lifecycle.common import Kind, Via, event
from tickets.models import Ticket
from tickets.models.status import CLOSED_STATUSES

ERASED_NOTE = "Datos de contacto del ciudadano borrados al cumplirse el plazo de conservación."


def tickets_erase_personal_data(now=None, batch=500):
    """Erase the contact data of tickets closed longer ago than the retention; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)
    holding = ~Q(reporter_name="") | ~Q(reporter_phone="") | ~Q(reporter_email="")
    due = Ticket.objects.filter(holding, status__in=CLOSED_STATUSES, closed_at__lte=cutoff)
    erased = 0
    for pk in list(due.values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            # Claimed with a conditional UPDATE: a reopening in between (status open again)
            # or a second worker leaves it alone.
            claimed = Ticket.objects.filter(holding, pk=pk, status__in=CLOSED_STATUSES, closed_at__lte=cutoff).update(
                reporter_name="", reporter_phone="", reporter_email=""
            )
            if not claimed:
                continue
            event(Ticket(pk=pk), Kind.UPDATED, actor=None, via=Via.SISTEMA, at=now, public=False, note=ERASED_NOTE)
            erased += 1
    return erased
