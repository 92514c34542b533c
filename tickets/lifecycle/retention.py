"""Personal data is kept no longer than needed (Mexico's data-protection law, LGPDPPSO):
the reporter's name, phone and e-mail are erased PERSONAL_DATA_RETENTION_DAYS after the ticket
closed (a daily Celery beat job). The ticket, its public history and its numbers stay; the
trail records the erasure. A ticket reopened in the meantime is open again, so it waits.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tickets.lifecycle.common import Kind, Via, event
from tickets.models import Moderation, Ticket, TicketEvent
from tickets.models.status import CLOSED_STATUSES

REMOVED = "[dato personal borrado]"
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
            # Locked and checked again: a reopening in between (open again) or a second
            # worker leaves it alone.
            ticket = (
                Ticket.objects.select_for_update()
                .filter(holding, pk=pk, status__in=CLOSED_STATUSES, closed_at__lte=cutoff)
                .first()
            )
            if ticket is None:
                continue
            _scrub_notes(ticket)
            Ticket.objects.filter(pk=pk).update(reporter_name="", reporter_phone="", reporter_email="")
            event(ticket, Kind.UPDATED, actor=None, via=Via.SISTEMA, at=now, public=False, note=ERASED_NOTE)
            erased += 1
    return erased


def _scrub_notes(ticket):
    """Staff notes often repeat the contact data ("Llamar a Rosa al 722…"): the exact values
    are replaced in the ticket's trail too. Free text written otherwise (a phone with spaces, a
    nickname) cannot be recognised; moderation is for that."""
    values = [v for v in (ticket.reporter_name, ticket.reporter_phone, ticket.reporter_email) if len(v) >= 3]
    if not values:
        return
    pattern = re.compile("|".join(re.escape(value) for value in sorted(values, key=len, reverse=True)), re.I)
    for trail_event in ticket.events.exclude(note=""):
        scrubbed = pattern.sub(REMOVED, trail_event.note)
        if scrubbed != trail_event.note:
            TicketEvent.objects.filter(pk=trail_event.pk).update(note=scrubbed)
    # The originals kept by moderation are part of the record, and hold the same data.
    for record in ticket.moderations.exclude(original=""):
        scrubbed = pattern.sub(REMOVED, record.original)
        if scrubbed != record.original:
            Moderation.objects.filter(pk=record.pk).update(original=scrubbed)
