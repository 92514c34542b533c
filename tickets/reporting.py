"""What a resident does on the web, on top of the lifecycle: report once (however many
times the form is sent), follow an existing report nearby, add photos.

Open311's POST and the REST API's report call the same functions.
"""

import contextlib
import logging
import math
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from metepec7311 import ratelimits
from metepec7311.security import client_address
from tickets import lifecycle
from tickets.lifecycle.report import photos_lost_note
from tickets.models import PendingPhoto, Submission, Ticket

logger = logging.getLogger(__name__)

NEARBY_METRES = 150
NEARBY_DAYS = 30
# Degrees of latitude / longitude spanning NEARBY_METRES around Metepec (19.25° N).
_LAT_STEP = NEARBY_METRES / 111_320
_LON_STEP = NEARBY_METRES / (111_320 * math.cos(math.radians(19.25)))


def metres_between(lat1, lon1, lat2, lon2):
    """Great-circle distance (haversine); plenty precise at the scale of a street."""
    lat1, lon1, lat2, lon2 = map(math.radians, map(float, (lat1, lon1, lat2, lon2)))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def rate_limited(request):
    """Too many reports from one address (REPORT_RATE_LIMITS: a short and a daily window),
    counted together for the web form and the residents' API; the windows in one round trip
    to Redis (metepec7311/ratelimits.py)."""
    return ratelimits.hit("report", client_address(None, request), settings.REPORT_RATE_LIMITS)


def not_counted(request):
    """Give back rate_limited()'s count: the report was a resend, answered from its receipt."""
    ratelimits.give_back("report", client_address(None, request), settings.REPORT_RATE_LIMITS)


def find_nearby(*, service, colonia=None, latitude=None, longitude=None, now=None, limit=5):
    """Open tickets of the same service in the same colonia or within ~150 m, last 30 days."""
    now = now or timezone.now()
    place = Q()
    if colonia is not None:
        place |= Q(colonia=colonia)
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        place |= Q(
            latitude__range=(lat - _LAT_STEP, lat + _LAT_STEP), longitude__range=(lon - _LON_STEP, lon + _LON_STEP)
        )
    if not place:
        return []
    candidates = (
        Ticket.objects.open()
        .filter(place, service=service, created_at__gte=now - timedelta(days=NEARBY_DAYS))
        .select_related("colonia")
        .order_by("-created_at")[:50]
    )
    nearby = []
    for ticket in candidates:
        same_colonia = colonia is not None and ticket.colonia_id == colonia.pk
        close = (
            latitude is not None
            and ticket.latitude is not None
            and metres_between(latitude, longitude, ticket.latitude, ticket.longitude) <= NEARBY_METRES
        )
        if same_colonia or close:
            nearby.append(ticket)
    return nearby[:limit]


class KeyReused(Exception):
    """The same idempotency key came with a different report: refused, never answered with
    the first sender's ticket (for the API that would hand over its private token)."""


def receipt_for(key):
    """The receipt of an earlier send of this submission (with its ticket), or None.

    Nearly every send is a first one: the miss costs one narrow query on the key's unique
    index (no join, no ordering), and only a repeat reads the receipt and its ticket."""
    if not key:
        return None
    found = list(Submission.objects.filter(key=key).values_list("pk", flat=True)[:1])
    return Submission.objects.select_related("ticket").get(pk=found[0]) if found else None


def _already(key, fingerprint=""):
    previous = receipt_for(key)
    if previous and previous.fingerprint != fingerprint:
        raise KeyReused(key)
    return previous


def submit_report(*, key, fingerprint="", photos=(), pending_keys=(), looked_up=False, **report):
    """Create the ticket once per submission key. Returns (ticket, created).

    `report` are ticket_create's arguments; `photos` cleaned ContentFiles; `pending_keys`
    photos kept from an earlier attempt with errors; `fingerprint` a digest of what an API
    client sent with its Idempotency-Key. `key=None` (an API client that sent none): no
    retry protection, and no receipt to write. `looked_up`: the caller has just found no
    receipt for the key (the web form looks before validating); a receipt committed since is
    still caught, by the key's unique index, below.
    """
    previous = _already(key, fingerprint) if key and not looked_up else None
    if previous:
        return previous.ticket, False
    pending_keys = list(pending_keys)
    try:
        # Kept photos are moved to the ticket in its transaction. Without them, the report
        # needs none here (ticket_create writes it as one statement, or in a transaction of
        # its own), except a savepoint inside a caller's transaction, so that a resend refused
        # by the receipt's unique key below leaves that transaction usable.
        needs_atomic = pending_keys or transaction.get_connection().in_atomic_block
        with transaction.atomic() if needs_atomic else contextlib.nullcontext():
            kept = list(PendingPhoto.objects.filter(key__in=pending_keys)[: len(pending_keys)]) if pending_keys else []

            def receipt(ticket):
                if not key:
                    return []
                # Unique key: a concurrent second submission blocks on its INSERT until the
                # first commits, then fails and is answered with the first one's ticket below.
                return [Submission(key=key, fingerprint=fingerprint, ticket=ticket, action=Submission.Action.CREATED)]

            copies = [_copy(pending) for pending in kept]
            ticket = lifecycle.ticket_create(
                photos=[*photos, *(copy for copy in copies if copy is not None)], within=receipt, **report
            )
            unread = copies.count(None)
            if unread:  # kept photos the storage could not give back: the report goes on
                lifecycle.ticket_add_note(ticket=ticket, actor=None, via=lifecycle.Via.SISTEMA,
                                          text=photos_lost_note(unread))  # fmt: skip
                ticket.photos_not_stored += unread
            for pending in kept:
                pending.delete()
                # The file goes only once the ticket is safely stored.
                transaction.on_commit(lambda image=pending.image: image.storage.delete(image.name))
    except IntegrityError:
        previous = _already(key, fingerprint)
        if previous is None:
            raise
        return previous.ticket, False
    return ticket, True


def _copy(pending):
    """A kept photo's content, or None when the storage cannot give it back now."""
    from django.core.files.base import ContentFile

    try:
        pending.image.open("rb")
        try:
            return ContentFile(pending.image.read(), name="foto.jpg")
        finally:
            pending.image.close()
    except Exception:
        logger.error("kept photo %s could not be read back", pending.image.name, exc_info=True)
        return None


def follow_report(*, key, ticket, note=""):
    """Count one more affected resident on an existing open ticket, once per submission."""
    previous = _already(key)
    if previous:
        return previous.ticket
    try:
        with transaction.atomic():
            lifecycle.ticket_add_affected(ticket=ticket, note=note)
            Submission.objects.create(key=key, ticket=ticket, action=Submission.Action.FOLLOWED)
    except IntegrityError:
        previous = _already(key)
        if previous is None:
            raise
        return previous.ticket
    return ticket


def keep_pending(contents):
    """Store cleaned photos while the resident fixes the form; returns their keys, or None
    when the storage fails (the form then asks to choose them again)."""
    try:
        with transaction.atomic():  # a savepoint: the failed write leaves any outer transaction usable
            return [PendingPhoto.objects.create(image=content).key for content in contents]
    except Exception:
        logger.error("photos could not be kept while the form is fixed", exc_info=True)
        return None


def purge_pending(older_than=timedelta(days=1)):
    """Delete photos of forms never sent again. Returns how many."""
    stale = PendingPhoto.objects.filter(created_at__lt=timezone.now() - older_than)
    count = 0
    for pending in stale.iterator():
        pending.image.delete(save=False)
        pending.delete()
        count += 1
    return count
