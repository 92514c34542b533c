"""A report's photos, cleaned after the report is saved instead of inside its request.

Decoding, resizing and re-encoding a phone photo is most of a report's cost (docs/
performance.md), and the resident does not need it done to get a folio. So the request only
checks each photo (tickets/photos.py: check_photo) and stores its file as received, under a
random name in `incoming/`, with an IncomingPhoto row written in the report's transaction.
Once that commits, a task cleans the photos and records them on the ticket as if they had
come with it (TicketPhoto rows and one trail event, at the report's own time), then deletes
the received files.

Nothing shows a photo before it is cleaned: public pages, APIs and exports read TicketPhoto
only. If the broker is down the task is not queued, and if the worker is down it is not run;
the sweep (beat, every minute) cleans whatever is still waiting, so a photo is late, never
lost. On the embedded default (eager Celery) the cleaning runs in the process at commit.
"""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tickets.lifecycle.common import Kind, Via, attach_photos, event, stored_photos
from tickets.models import IncomingPhoto, Ticket
from tickets.photos import clean_photo

logger = logging.getLogger(__name__)

FIELD = IncomingPhoto._meta.get_field("image")
SWEEP_AFTER = timedelta(minutes=1)
UNREADABLE_NOTE = (
    "{count} foto(s) del reporte no se pudieron procesar: el archivo no es una imagen válida aunque lo "
    "parecía. Si hace falta, pida al ciudadano que la envíe de nuevo desde su enlace privado."
)


def receive(ticket, stored, *, actor, via, actor_label, at, public=True):
    """Record photos stored as received (stored_photos with FIELD), in the caller's
    transaction, and have them cleaned once it commits."""
    IncomingPhoto.objects.bulk_create(
        [
            IncomingPhoto(
                ticket=ticket,
                image=name,
                is_public=public,
                via=via,
                actor=actor,
                actor_label=actor_label or "",
                created_at=at,
            )
            for name, _width, _height in stored
        ]
    )
    transaction.on_commit(lambda: _request_cleaning(ticket.pk))


def _request_cleaning(ticket_id):
    from tickets.tasks import clean_incoming_photos

    try:
        # No publish retries: with the broker down the resident must not wait; the sweep
        # cleans them. In eager mode (no broker) this cleans them in the process.
        clean_incoming_photos.apply_async(kwargs={"ticket_id": ticket_id}, retry=False)
    except Exception:  # the report is committed; nothing here may turn it into an error page
        logger.warning("photos of ticket %s: cleaning not queued, the sweep will do it", ticket_id, exc_info=True)


def clean(ticket_id):
    """Clean the ticket's waiting photos and record them. Returns how many were recorded.

    Idempotent and safe to run twice at once: the rows are taken with SKIP LOCKED, and
    deleted in the transaction that records their clean copies. A file the storage cannot
    give back or take now (OSError, a bucket down) raises, leaving the rows for a retry."""
    with transaction.atomic():
        waiting = list(
            IncomingPhoto.objects.select_for_update(skip_locked=True).filter(ticket_id=ticket_id).order_by("id")
        )
        if not waiting:
            return 0
        ticket = Ticket.objects.get(pk=ticket_id)
        cleaned, unreadable = [], 0
        for photo in waiting:
            with FIELD.storage.open(photo.image.name, "rb") as received:
                try:
                    cleaned.append((photo, clean_photo(received)))
                except ValidationError:  # passed the request's checks, but its pixels do not decode
                    unreadable += 1
        for public in (True, False):
            group = [(photo, content) for photo, content in cleaned if photo.is_public == public]
            if not group:
                continue
            first = group[0][0]
            with stored_photos([content for _, content in group]) as stored:
                attach_photos(ticket, stored, actor=first.actor, via=first.via, at=first.created_at,
                              public=public, actor_label=first.actor_label or None)  # fmt: skip
        if unreadable:
            event(ticket, Kind.NOTE, actor=None, via=Via.SISTEMA, at=timezone.now(), public=False,
                  note=UNREADABLE_NOTE.format(count=unreadable))  # fmt: skip
        names = [photo.image.name for photo in waiting]
        IncomingPhoto.objects.filter(pk__in=[photo.pk for photo in waiting]).delete()
        transaction.on_commit(lambda: _delete_files(names))
    return len(cleaned)


def _delete_files(names):
    for name in names:
        try:
            FIELD.storage.delete(name)
        except Exception:  # an orphan file under incoming/ is harmless; the rows are gone
            logger.warning("received photo %s not deleted", name, exc_info=True)


def sweep(now=None):
    """Clean the photos still waiting after SWEEP_AFTER (a task not queued, a worker that was
    down). Returns how many photos were recorded."""
    now = now or timezone.now()
    ticket_ids = (
        IncomingPhoto.objects.filter(created_at__lt=now - SWEEP_AFTER)
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)
        .distinct()[:200]
    )
    done = 0
    for ticket_id in list(ticket_ids):
        try:
            done += clean(ticket_id)
        except Exception:
            logger.exception("photos of ticket %s could not be cleaned; next sweep", ticket_id)
    return done
