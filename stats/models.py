"""Aggregates kept up to date as tickets change, and the snapshots the public pages read.

Public pages never count tickets: the lifecycle records each change of what a ticket counts
as a `RollupChange`, in the change's own transaction; a job folds those into `Rollup` (±1 per
cell) every few seconds and before every snapshot (stats/rollups.py); a Celery job turns the
rollups into a `Snapshot` every few minutes, and pages read the latest snapshot through the
cache.
"""

import json
import zlib
from datetime import date

from django.db import models
from django.utils import timezone

ALL_TIME = date(1970, 1, 1)  # the period of all-time rows
ALL_SERVICES = 0  # the service of all-time area and month rows (see Rollup)


class Rollup(models.Model):
    """Ticket counts for one period × service × dimension member × public bucket.

    grain: "d" per creation day, "m" per creation month, "a" all time (period ALL_TIME).
    dimension / member: "channel" / channel code (every grain), "mes" / first day of the
    creation month (all time only: the trend), "colonia" and "locality" /
    id or "0" for none (month and all time), "hours" / whole business hours to resolve,
    capped (resolved tickets; month and all time), "rating" / "<department id>-<1..5>":
    reporters' satisfaction ratings (month and all time; tickets = number of ratings).
    A service's totals are the sum over its channels.

    service_id is the service's id, or ALL_SERVICES (0): "mes" cells only exist for every
    service, "colonia" and "locality" cells exist both per service and for every service.
    A view without a service filter reads the every-service area cells — a few hundred per
    period instead of one per service per area — which keeps the recompute cheap and the
    filtered statistics fast (numbers.Filter.where). No foreign key, for that reason.
    """

    grain = models.CharField(max_length=1)
    period = models.DateField()
    service_id = models.PositiveIntegerField()
    dimension = models.CharField(max_length=10)
    member = models.CharField(max_length=20)
    bucket = models.CharField(max_length=22)
    tickets = models.IntegerField(default=0)
    sla_measured = models.IntegerField(default=0)  # resolved with a due date (not imported)
    sla_met = models.IntegerField(default=0)  # … resolved by the due date

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "service_id", "dimension", "member", "bucket"], name="uniq_rollup_cell"
            )
        ]
        indexes = [
            # Covering (PostgreSQL): the statistics read whole ranges of cells from the index
            # alone, without visiting the table.
            models.Index(
                fields=["grain", "dimension", "period"],
                include=["service_id", "member", "bucket", "tickets", "sla_measured", "sla_met"],
                name="rollup_lookup_idx",
            )
        ]

    def __str__(self):
        return f"{self.grain}:{self.period}:{self.service_id}:{self.dimension}={self.member}:{self.bucket}"


class RollupChange(models.Model):
    """What one ticket counted before and after one change (stats.rollups.Contribution as
    text; empty before its creation). Written in the change's transaction — one small insert
    instead of a dozen shared cells locked until the commit — and deleted once folded."""

    before = models.CharField(max_length=150, blank=True)
    after = models.CharField(max_length=150, blank=True)

    def __str__(self):
        return f"{self.before or '∅'} → {self.after or '∅'}"


class Snapshot(models.Model):
    """The public numbers at one moment: banner plus the all-time statistics."""

    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField()  # {"banner": …}
    # Every /estadisticas/ table, as zlib-compressed JSON: ~100 kB of JSON written every few
    # minutes costs PostgreSQL more to parse into jsonb than computing it costs us.
    statistics = models.BinaryField(default=b"")

    class Meta:
        get_latest_by = "computed_at"

    def __str__(self):
        return f"Cifras al {self.computed_at:%Y-%m-%d %H:%M}"

    def statistics_data(self):
        if self.statistics:
            return json.loads(zlib.decompress(self.statistics))
        return self.data.get("estadisticas")  # snapshots written before the column existed


class DriftReport(models.Model):
    """What the nightly reconciliation found between rollups and a full recount."""

    checked_at = models.DateTimeField(default=timezone.now)
    cells_checked = models.PositiveIntegerField()
    cells_drifted = models.PositiveIntegerField()
    sample = models.JSONField(default=list, help_text="Up to 50 drifted cells: key, stored, recounted.")
    repaired = models.BooleanField(default=False)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = "conciliación de cifras"
        verbose_name_plural = "conciliaciones de cifras"

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M}: {self.cells_drifted} diferencias"
