"""The digest job (beat, every 15 minutes): each confirmed subscription whose time has come
gets, at most once per ALERTS_DIGEST_HOURS, one e-mail with the public changes of what it
follows since the last one (docs/alerts.md).

The work is bounded by the events, never by the tickets or by the subscriptions times the
tickets: one query reads the public events of the window (the partial index
event_public_created_idx on their time), and each batch of due subscriptions is matched in
memory against them: by ticket, colonia and locality through dictionaries, circles through a
grid of ~1 km cells and then the haversine distance. A batch's subscriptions are locked
(SKIP LOCKED: two workers share the work, never do it twice), their digests promised through
the outbox with a key per subscription and window, and their windows moved on, in one
transaction.
"""

import math
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from alerts.models import AlertMessage, Subscription
from tickets import outbox
from tickets.models import Notification, TicketEvent
from tickets.reporting import metres_between
from tickets.timeline import PUBLIC_KINDS

Scope = Subscription.Scope
# What an area hears about: new reports, status changes (a resolution among them) and
# reopenings. Who follows one report hears its whole public story.
AREA_KINDS = (TicketEvent.Kind.CREATED, TicketEvent.Kind.STATUS, TicketEvent.Kind.REOPENED)
BATCH = 500
# A beat down for long does not make the job read months of events: older changes are left
# out of the first digest after it.
MAX_LOOKBACK = timedelta(days=7)
# Events listed in one e-mail at most (the e-mail says how many more, and links the feed).
MAX_EVENTS = 100
MAX_STORED = 1000  # ids kept for one digest (the e-mail counts them)
CELL = 0.01  # degrees, about 1.1 km at Metepec's latitude
# A window ends this long before the job runs: an event is stamped when its transaction
# starts and seen when it commits, so the newest moments may still receive events.
SETTLE = timedelta(minutes=2)


def _stamp(moment):
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")


def public_events(since, until):
    """The public events of a window that alerts may tell, with what matching needs."""
    return list(
        TicketEvent.objects.filter(is_public=True, created_at__gt=since, created_at__lte=until, kind__in=PUBLIC_KINDS)
        .exclude(via=TicketEvent.Via.IMPORTADO)
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "kind",
            "created_at",
            "ticket_id",
            "ticket__colonia_id",
            "ticket__locality_id",
            "ticket__service_id",
            "ticket__latitude",
            "ticket__longitude",
        )
    )


class Matcher:
    """The window's events indexed by what subscriptions follow."""

    def __init__(self, events):
        self.by_ticket, self.by_colonia, self.by_locality = defaultdict(list), defaultdict(list), defaultdict(list)
        self.by_cell = defaultdict(list)
        for event in events:
            pk, kind, at, ticket, colonia, locality, service, lat, lon = event
            self.by_ticket[ticket].append(event)
            if kind not in AREA_KINDS:
                continue
            if colonia is not None:
                self.by_colonia[colonia].append(event)
            if locality is not None:
                self.by_locality[locality].append(event)
            if lat is not None and lon is not None:
                self.by_cell[(math.floor(float(lat) / CELL), math.floor(float(lon) / CELL))].append(event)

    def _in_circle(self, subscription):
        lat, lon, radius = float(subscription.latitude), float(subscription.longitude), subscription.radius_m
        # Cells the circle's bounding box touches (a cell is never smaller than ~1 km).
        lat_span = radius / 111_320
        lon_span = radius / (111_320 * math.cos(math.radians(lat)))
        rows = range(math.floor((lat - lat_span) / CELL), math.floor((lat + lat_span) / CELL) + 1)
        cols = range(math.floor((lon - lon_span) / CELL), math.floor((lon + lon_span) / CELL) + 1)
        found = []
        for row in rows:
            for col in cols:
                for event in self.by_cell.get((row, col), ()):
                    elat, elon = float(event[7]), float(event[8])
                    in_box = abs(elat - lat) <= lat_span and abs(elon - lon) <= lon_span
                    if in_box and metres_between(lat, lon, elat, elon) <= radius:  # the box, then the circle
                        found.append(event)
        return found

    def events_for(self, subscription, since):
        if subscription.scope == Scope.TICKET:
            candidates = self.by_ticket.get(subscription.ticket_id, ())
        elif subscription.scope == Scope.COLONIA:
            candidates = self.by_colonia.get(subscription.colonia_id, ())
        elif subscription.scope == Scope.LOCALITY:
            candidates = self.by_locality.get(subscription.locality_id, ())
        else:
            candidates = self._in_circle(subscription)
        service = subscription.service_id
        return sorted(
            (e for e in candidates if e[2] > since and (service is None or e[6] == service)),
            key=lambda e: (e[2], e[0]),
        )


def send_digests(now=None):
    """Promise the digests that are due; returns how many e-mails were promised."""
    now = now or timezone.now()
    due = Subscription.objects.filter(state=Subscription.State.ACTIVE, next_digest_at__lte=now)
    oldest = due.aggregate(oldest=Min("covered_until"))["oldest"]
    if oldest is None and not due.exists():
        return 0
    until = now - SETTLE
    floor = until - MAX_LOOKBACK
    since = max(oldest or floor, floor)
    matcher = Matcher(public_events(since, until))
    promised = 0
    while True:  # a batch done is no longer due; one another worker holds is skipped
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True)
                .order_by("next_digest_at")
                .only(
                    "pk",
                    "scope",
                    "ticket_id",
                    "colonia_id",
                    "locality_id",
                    "latitude",
                    "longitude",
                    "radius_m",
                    "service_id",
                    "covered_until",
                    "next_digest_at",
                )[:BATCH]
            )
            if not batch:
                break
            promised += _digest_batch(batch, matcher, floor, until, now)
    return promised


def _digest_batch(batch, matcher, floor, until, now):
    period = timedelta(hours=max(1, settings.ALERTS_DIGEST_HOURS))
    messages = {}
    for subscription in batch:
        since = max(subscription.covered_until or floor, floor)
        events = matcher.events_for(subscription, since)
        if events:
            key = f"alerta-resumen:{subscription.pk}:{_stamp(since)}"
            messages[key] = (subscription, [e[0] for e in events[:MAX_STORED]], since)
    if messages:
        existing = set(Notification.objects.filter(key__in=list(messages)).values_list("key", flat=True))
        new = [key for key in messages if key not in existing]
        Notification.objects.bulk_create(
            [Notification(kind=Notification.Kind.ALERT_DIGEST, key=key, created_at=now) for key in new]
        )
        ids = dict(Notification.objects.filter(key__in=new).values_list("key", "pk"))
        AlertMessage.objects.bulk_create(
            AlertMessage(
                notification_id=ids[key],
                subscription=messages[key][0],
                events=messages[key][1],
                since=messages[key][2],
                until=until,
            )
            for key in new
        )
        if new:
            transaction.on_commit(outbox.kick)
    else:
        new = []
    Subscription.objects.filter(pk__in=[s.pk for s in batch]).update(covered_until=until, next_digest_at=now + period)
    return len(new)
