"""Keeping `Rollup` in step with the tickets and the reporters' ratings.

`record(before, after)` is called by the ticket lifecycle inside each change's transaction:
it writes what the ticket contributed before and what it contributes now as one
`RollupChange` row. `fold()` applies pending changes to the rollups in batches — every few
seconds (Celery beat), before every snapshot and every reconciliation — subtracting the
"before" cells and adding the "after" ones in one upsert: sums commute, so the order of the
changes does not matter, and each change is folded exactly once (it is deleted in the same
transaction, claimed with SKIP LOCKED so workers never share one). Shared cells are thus
locked only by the folding job, never by a resident's report. Bulk imports add their new
tickets' cells directly with `add_new()`, one upsert per batch. `record_ratings()` upserts
satisfaction ratings directly (rare). `recount()` computes the same cells from the source
tables with GROUP BY — the nightly reconciliation compares it with the rollups plus pending
changes, and `rebuild()` replaces the rollups with it (after bulk loads, when the lifecycle
was bypassed).
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, DateField, F, IntegerField, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Floor, Least, TruncDate, TruncMonth
from django.utils import timezone

from stats.models import ALL_SERVICES, ALL_TIME, DriftReport, Rollup, RollupChange
from tickets.models import Channel
from tickets.models.status import (
    SLA_MEASURED_Q,
    PublicBucket,
    Status,
    public_bucket,
    public_bucket_expression,
    resolved_on_time,
    resolved_on_time_q,
)

log = logging.getLogger(__name__)

HOURS_CAP = 500  # resolution times of 500 business hours or more share one cell
KEY = ("grain", "period", "service_id", "dimension", "member", "bucket")
COUNTS = ("tickets", "sla_measured", "sla_met")


@dataclass(frozen=True)
class Contribution:
    """What one ticket adds to the rollups."""

    day: date
    service_id: int
    channel: str
    colonia: str
    locality: str
    bucket: str
    sla_measured: int
    sla_met: int
    hours: str | None

    def cells(self):
        month = self.day.replace(day=1)
        counts = (1, self.sla_measured, self.sla_met)
        periods = {"d": self.day, "m": month, "a": ALL_TIME}
        for grain, period in periods.items():
            yield (grain, period, self.service_id, "channel", self.channel, self.bucket), counts
        # All-time cells per creation month: the monthly trend without scanning month cells.
        yield ("a", ALL_TIME, ALL_SERVICES, "mes", month.isoformat(), self.bucket), counts
        for grain in ("m", "a"):
            # Areas per service and for every service at once: a view without a service
            # filter adds up a few hundred area cells per month, not one per service.
            for service in (self.service_id, ALL_SERVICES):
                yield (grain, periods[grain], service, "colonia", self.colonia, self.bucket), counts
                yield (grain, periods[grain], service, "locality", self.locality, self.bucket), counts
            if self.hours is not None:
                key = (grain, periods[grain], self.service_id, "hours", self.hours, PublicBucket.RESUELTO.value)
                yield key, (1, 0, 0)

    def as_text(self):
        parts = (self.day.isoformat(), self.service_id, self.channel, self.colonia, self.locality, self.bucket)
        return "|".join(str(part) for part in (*parts, self.sla_measured, self.sla_met, self.hours or ""))

    @classmethod
    def from_text(cls, text):
        day, service_id, channel, colonia, locality, bucket, measured, met, hours = text.split("|")
        return cls(
            date.fromisoformat(day), int(service_id), channel, colonia, locality, bucket, int(measured), int(met),
            hours or None,
        )  # fmt: skip


def contribution(ticket):
    """The ticket's contribution as it is now (None for no ticket)."""
    if ticket is None:
        return None
    resolved = ticket.status == Status.RESUELTO
    on_time = resolved_on_time(ticket)
    hours = None
    # Time to resolve is a performance figure: imported history is left out, like the SLA.
    if resolved and ticket.business_hours_to_resolve is not None and ticket.channel != Channel.IMPORTADO:
        hours = str(min(int(ticket.business_hours_to_resolve), HOURS_CAP))
    return Contribution(
        day=timezone.localtime(ticket.created_at, ZoneInfo(settings.TIME_ZONE)).date(),
        service_id=ticket.service_id,
        channel=ticket.channel,
        colonia=str(ticket.colonia_id or 0),
        locality=str(ticket.locality_id or 0),
        bucket=public_bucket(ticket.status).value,
        sla_measured=int(on_time is not None),
        sla_met=int(bool(on_time)),
        hours=hours,
    )


def record_ratings(satisfactions):
    """Count new reporters' ratings (surveys.TicketSatisfaction, created once per ticket)."""
    counts = Counter(key for satisfaction in satisfactions for key in rating_cells(satisfaction))
    if counts:
        _upsert({key: (n, 0, 0) for key, n in counts.items()})


def rating_cells(satisfaction):
    """Ratings per creation month and all time, per service: member "<department id>-<1..5>"."""
    member = f"{satisfaction.department_id}-{satisfaction.rating}"
    for grain, period in (("m", satisfaction.ticket_month), ("a", ALL_TIME)):
        yield (grain, period, satisfaction.service_id, "rating", member, PublicBucket.RESUELTO.value)


def record(before, after):
    """Record the change from contribution `before` to `after` (either may be None), to be
    folded into the rollups (inside the caller's transaction: it commits or fails with it)."""
    if before == after:
        return
    with connection.cursor() as cursor:  # on every change: the plain statement, not the ORM's
        cursor.execute(RECORD_SQL, [before.as_text() if before else "", after.as_text() if after else ""])


def change(before, after):
    """The change row `record()` writes, unsaved (None when nothing changes): a new ticket's
    is written with the ticket (tickets/lifecycle/together.py)."""
    if before == after:
        return None
    return RollupChange(before=before.as_text() if before else "", after=after.as_text() if after else "")


RECORD_SQL = f'INSERT INTO {RollupChange._meta.db_table} ("before", "after") VALUES (%s, %s)'


def add_new(contributions):
    """Add new tickets' contributions straight to the rollups, in the caller's transaction:
    the bulk imports' way (tickets/imports/writer.py), one upsert per batch of thousands of
    tickets instead of a change per ticket to fold later. The cells stay locked until the
    batch commits, which only the folding job ever waits for."""
    deltas = {}
    # Tickets of one day, service and place contribute the same cells: each distinct
    # contribution is spread once, times how many tickets share it.
    for contribution, n in Counter(contributions).items():
        for key, (tickets, measured, met) in contribution.cells():
            current = deltas.get(key, (0, 0, 0))
            deltas[key] = (current[0] + n * tickets, current[1] + n * measured, current[2] + n * met)
    if deltas:
        _upsert(deltas)


def _cell_deltas(changes):
    """{cell key: (tickets, measured, met)} that (before, after) text pairs add up to."""
    deltas = {}
    for before, after in changes:
        for sign, text in ((-1, before), (1, after)):
            if not text:
                continue
            for key, counts in Contribution.from_text(text).cells():
                current = deltas.get(key, (0, 0, 0))
                deltas[key] = tuple(c + sign * n for c, n in zip(current, counts, strict=True))
    return {key: counts for key, counts in deltas.items() if any(counts)}


def fold(limit=10_000):
    """Apply up to `limit` pending changes, oldest first. Returns how many were folded."""
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL): two workers folding at once take different changes.
        pending = list(
            RollupChange.objects.select_for_update(skip_locked=True)
            .order_by("id")
            .values_list("id", "before", "after")[:limit]
        )
        if not pending:
            return 0
        deltas = _cell_deltas((before, after) for _, before, after in pending)
        if deltas:
            _upsert(deltas)
        RollupChange.objects.filter(id__in=[pk for pk, _, _ in pending]).delete()
    return len(pending)


def fold_all():
    """Fold every pending change (in batches). Returns how many."""
    total = 0
    while folded := fold():
        total += folded
    return total


def _upsert(deltas):
    table = Rollup._meta.db_table
    columns = ["grain", "period", "service_id", "dimension", "member", "bucket", *COUNTS]
    ordered = sorted(deltas.items())
    increments = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    # ON CONFLICT … DO UPDATE: same syntax on PostgreSQL and SQLite. Sorted keys keep the
    # row-lock order stable, so concurrent changes never deadlock each other.
    conflict = f"ON CONFLICT (grain, period, service_id, dimension, member, bucket) DO UPDATE SET {increments}"
    if connection.vendor == "postgresql":
        # One array per column: the statement's text is the same for any number of cells, so
        # neither the driver nor the server parses a new one on every change.
        arrays = [list(values) for values in zip(*(key + counts for key, counts in ordered), strict=True)]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({UNNEST_TYPES}) {conflict}"
        params = arrays
    else:
        rows = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(ordered))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} {conflict}"
        params = [value for key, counts in ordered for value in (*key, *counts)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


UNNEST_TYPES = ", ".join(
    f"%s::{kind}[]"
    for kind in ("varchar", "date", "integer", "varchar", "varchar", "varchar", "integer", "integer", "integer")
)


# --- full recount ---------------------------------------------------------------------------


def _annotated_tickets():
    from tickets.models import Ticket

    tz = ZoneInfo(settings.TIME_ZONE)
    return Ticket.objects.annotate(
        r_day=TruncDate("created_at", tzinfo=tz),
        r_month=TruncMonth("created_at", output_field=DateField(), tzinfo=tz),
        r_bucket=public_bucket_expression(),
        r_measured=Case(When(SLA_MEASURED_Q, then=1), default=0, output_field=IntegerField()),
        r_met=Case(When(resolved_on_time_q(True), then=1), default=0, output_field=IntegerField()),
        # "YYYY-MM-01" on both databases (PostgreSQL's date_trunc gives a timestamp: make it a date).
        r_month_key=Cast(Cast(TruncMonth("created_at", output_field=DateField(), tzinfo=tz), DateField()), CharField()),
        r_colonia=Cast(Coalesce("colonia_id", 0), CharField()),
        r_locality=Cast(Coalesce("locality_id", 0), CharField()),
        r_hours=Cast(Least(Cast(Floor("business_hours_to_resolve"), IntegerField()), Value(HOURS_CAP)), CharField()),
    )


COLUMNS = (
    "r_grain",
    "r_period",
    "r_service",
    "r_dimension",
    "r_member",
    "r_bucket",
    "r_tickets",
    "r_sla_measured",
    "r_sla_met",
)


def _recount_queries():
    """One GROUP BY per kind of cell, each selecting the rollup's columns in order."""
    yield from _ticket_recount_queries()
    yield from _rating_recount_queries()


def _rating_recount_queries():
    from surveys.models import TicketSatisfaction

    ratings = TicketSatisfaction.objects.annotate(
        r_member=Concat(Cast("department_id", CharField()), Value("-"), Cast("rating", CharField()))
    )
    for grain, period in (("m", "ticket_month"), ("a", None)):
        group = [f for f in (period, "service_id", "r_member") if f]
        yield (
            ratings.values(*group)
            .annotate(r_tickets=Count("id"), r_sla_measured=Value(0), r_sla_met=Value(0))
            .annotate(
                r_grain=Value(grain),
                r_service=F("service_id"),
                r_period=F(period) if period else Value(ALL_TIME, output_field=DateField()),
                r_dimension=Value("rating"),
                r_bucket=Value(PublicBucket.RESUELTO.value),
            )
            .order_by()
            .values_list(*COLUMNS)
        )


def _ticket_recount_queries():
    tickets = _annotated_tickets()
    hours = tickets.filter(status=Status.RESUELTO, business_hours_to_resolve__isnull=False).exclude(
        channel=Channel.IMPORTADO
    )
    # (source, grain, period field, dimension, member field, per service?)
    plans = [
        (tickets, "d", "r_day", "channel", "channel", True),
        (tickets, "m", "r_month", "channel", "channel", True),
        (tickets, "a", None, "channel", "channel", True),
        (tickets, "a", None, "mes", "r_month_key", False),
        (tickets, "m", "r_month", "colonia", "r_colonia", True),
        (tickets, "m", "r_month", "colonia", "r_colonia", False),
        (tickets, "a", None, "colonia", "r_colonia", True),
        (tickets, "a", None, "colonia", "r_colonia", False),
        (tickets, "m", "r_month", "locality", "r_locality", True),
        (tickets, "m", "r_month", "locality", "r_locality", False),
        (tickets, "a", None, "locality", "r_locality", True),
        (tickets, "a", None, "locality", "r_locality", False),
        (hours, "m", "r_month", "hours", "r_hours", True),
        (hours, "a", None, "hours", "r_hours", True),
    ]
    for source, grain, period, dimension, member, per_service in plans:
        group = [f for f in (period, "service_id" if per_service else None, member, "r_bucket") if f]
        counts_sla = dimension != "hours"
        yield (
            source.values(*group)
            .annotate(
                r_tickets=Count("id"),
                r_sla_measured=Sum("r_measured") if counts_sla else Value(0),
                r_sla_met=Sum("r_met") if counts_sla else Value(0),
            )
            .annotate(
                r_grain=Value(grain),
                r_service=F("service_id") if per_service else Value(ALL_SERVICES),
                r_period=F(period) if period else Value(ALL_TIME, output_field=DateField()),
                r_dimension=Value(dimension),
                r_member=F(member),
            )
            .order_by()
            .values_list(*COLUMNS)
        )


def recount():
    """Every rollup cell recomputed from the tickets table: {key: (tickets, measured, met)}."""
    cells = {}
    for rows in _recount_queries():
        for grain, period, service_id, dimension, member, bucket, tickets, measured, met in rows.iterator(
            chunk_size=10000
        ):
            key = (grain, _as_date(period), service_id, dimension, str(member), bucket)
            cells[key] = (tickets, measured or 0, met or 0)
    return cells


def _as_date(value):
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value


def stored():
    """The rollups as they stand once every pending change is folded: {key: counts}."""
    cells = {
        (r.grain, r.period, r.service_id, r.dimension, r.member, r.bucket): (r.tickets, r.sla_measured, r.sla_met)
        for r in Rollup.objects.iterator(chunk_size=10000)
    }
    pending = RollupChange.objects.values_list("before", "after").iterator(chunk_size=10000)
    for key, counts in _cell_deltas(pending).items():
        current = cells.get(key, (0, 0, 0))
        cells[key] = tuple(c + n for c, n in zip(current, counts, strict=True))
    return {key: counts for key, counts in cells.items() if any(counts)}


@transaction.atomic
def rebuild():
    """Replace every rollup with a full recount, inside the database (INSERT … SELECT …
    GROUP BY: no rows travel to Python, so it copes with ten million tickets)."""
    table = Rollup._meta.db_table
    changes_table = RollupChange._meta.db_table
    target = "grain, period, service_id, dimension, member, bucket, tickets, sla_measured, sla_met"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Waits for transactions that already recorded a change and holds back new ones
            # until this commits: a recount that interleaved with changes would count a
            # ticket twice or not at all. Folding waits too, and two rebuilds never overlap.
            cursor.execute(f"LOCK TABLE {changes_table} IN EXCLUSIVE MODE")
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {changes_table}")  # all of them are in the recount
        cursor.execute(f"DELETE FROM {table}")
        for rows in _recount_queries():
            sql, params = rows.query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} ({target}) {sql}", params)
    return Rollup.objects.count()


def reconcile(repair=True):
    """Compare the rollups with a full recount; record a DriftReport; repair if asked."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        # Read both sides in one snapshot of the database, so concurrent changes cannot
        # show up as drift (REPEATABLE READ on PostgreSQL; SQLite reads are serialised).
        if connection.vendor == "postgresql" and own_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        expected, actual = recount(), stored()
    drifted = {k for k in expected.keys() | actual.keys() if expected.get(k, (0, 0, 0)) != actual.get(k, (0, 0, 0))}
    sample = [
        {"cell": [str(part) for part in key], "stored": actual.get(key, (0, 0, 0)), "recount": expected.get(key)}
        for key in sorted(drifted, key=str)[:50]
    ]
    report = DriftReport.objects.create(
        cells_checked=len(expected.keys() | actual.keys()),
        cells_drifted=len(drifted),
        sample=sample,
        repaired=bool(drifted) and repair,
    )
    if drifted:
        log.warning("stats drift: %s of %s cells differ, e.g. %s", len(drifted), report.cells_checked, sample[:3])
        if repair:
            rebuild()
    return report


def totals_by_bucket(cells):
    """Sum of tickets per bucket over all-time channel cells (used by tests and checks)."""
    totals = Counter()
    for key, counts in cells.items():
        if key[0] == "a" and key[3] == "channel":
            totals[key[5]] += counts[0]
    return totals
