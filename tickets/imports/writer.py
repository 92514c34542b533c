"""Writing prepared tickets in batches: one transaction per batch, bulk inserts (COPY on
PostgreSQL), folios from the year's counter, the trail and the rollups with them.

A batch is all or nothing: a crash leaves no half-imported ticket, and the next run skips
what is already there (same legacy number) and goes on where it stopped. A row the database
refuses (a value it cannot store) is retried alone, so it never takes its batch with it.
"""

import logging
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from stats import rollups
from tickets import bulk
from tickets.folio import format_folio
from tickets.imports.report import DOUBTFUL, EXISTING, IMPORTED, REJECTED
from tickets.models import Channel, FolioCounter, Priority, Status, Ticket, TicketEvent

log = logging.getLogger(__name__)
Kind, Via = TicketEvent.Kind, TicketEvent.Via
# Two imports at once (an admin upload and a command) write their batches one after the
# other, so neither sees the other's rows half-written.
ADVISORY_LOCK = 7311_011
OWN_SOURCE = "portal"  # the portal's own open data (tickets/imports/formats/opendata.py)

# Ticket.objects.with_legacy_folio(), with the numbers as one array (ticket_legacy_unique).
EXISTING_SQL = (
    f"SELECT legacy_folio FROM {Ticket._meta.db_table} "
    "WHERE legacy_source = %s AND legacy_folio = ANY(%s::varchar[]) AND legacy_folio <> ''"
)
TAKE_NUMBERS_SQL = (
    f"INSERT INTO {FolioCounter._meta.db_table} (year, last_number) VALUES (%s, %s) "
    f"ON CONFLICT (year) DO UPDATE SET last_number = {FolioCounter._meta.db_table}.last_number + excluded.last_number "
    "RETURNING last_number"
)


class Writer:
    def __init__(self, *, source, report, dry_run, now, actor=None, batch_size=5000):
        self.source = source
        self.report = report
        self.dry_run = dry_run
        self.now = now
        self.actor = actor
        self.batch_size = batch_size
        self.batch = []
        self.seen = set()  # legacy numbers met in this run, in any file
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def add(self, ticket):
        if ticket.number in self.seen:
            self.report.row(EXISTING, service=ticket.service)
            return
        self.seen.add(ticket.number)
        self.batch.append(ticket)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self):
        """Write what is buffered, as one transaction."""
        batch, self.batch = self.batch, []
        if batch:
            self._report(batch, self._existing(batch) if self.dry_run else self._store(batch))

    def _store(self, batch):
        try:
            existing = self._write_atomically(batch)
        except IntegrityError:
            # Another import wrote some of these numbers between our check and our insert
            # (possible on SQLite, which has no advisory lock): check again.
            existing = self._write_atomically(batch)
        except (OperationalError, InterfaceError):
            raise  # the database went away: the run fails, and the next one picks up here
        except DatabaseError:
            log.warning("import batch refused; retrying its rows one by one", exc_info=True)
            existing = self._one_by_one(batch)
        return existing

    # --- writing ----------------------------------------------------------------------------

    def _write_atomically(self, batch):
        with transaction.atomic():
            return self._write(batch)

    def _one_by_one(self, batch):
        existing = set()
        for ticket in batch:
            try:
                existing |= self._write_atomically([ticket])
            except (OperationalError, InterfaceError):
                raise
            except DatabaseError as error:
                ticket.refused = f"la base de datos no aceptó la fila ({type(error).__name__})"
        return existing

    def _existing(self, batch):
        """The batch's legacy numbers already imported from this source; for the portal's own
        open data, also the folios that are already this database's own tickets (same folio,
        same creation time: the file came from here)."""
        numbers = [t.number for t in batch]
        found = set()
        for start in range(0, len(numbers), 5000):  # bounded IN lists
            chunk = numbers[start : start + 5000]
            if connection.vendor == "postgresql":
                # One array parameter: thousands of placeholders cost more to send than to run.
                with connection.cursor() as cursor:
                    cursor.execute(EXISTING_SQL, [self.source, chunk])
                    found.update(number for (number,) in cursor.fetchall())
            else:
                found.update(
                    Ticket.objects.with_legacy_folio(chunk)
                    .filter(legacy_source=self.source)
                    .order_by()
                    .values_list("legacy_folio", flat=True)
                )
            if self.source == OWN_SOURCE:
                created = {t.number: t.created_at for t in batch[start : start + 5000]}
                for folio, at in Ticket.objects.filter(folio__in=chunk).order_by().values_list("folio", "created_at"):
                    if abs((at - created[folio]).total_seconds()) < 1:
                        found.add(folio)
        return found

    def _write(self, batch):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        existing = self._existing(batch)
        new = sorted((t for t in batch if t.number not in existing), key=lambda t: t.created_at)
        if not new:
            return existing
        folios = self._folios(new)  # first write of the transaction (SQLite's write lock)
        ids = bulk.reserve_ids(Ticket, len(new))
        by_number = {t.number: pk for t, pk in zip(new, ids, strict=True)}
        parents = self._parents({t.parent_number for t in new if t.parent_number} - by_number.keys())
        parents.update(by_number)
        rows, events, contributions = [], [], []
        for ticket, pk, folio in zip(new, ids, folios, strict=True):
            row = self._ticket_row(ticket, pk, folio, parents)
            rows.append(row)
            events.extend(self._events(ticket, pk))
            contributions.append(rollups.contribution(SimpleNamespace(**row)))
        bulk.insert_rows(Ticket, rows)
        bulk.insert_rows(TicketEvent, events)  # ids from the table's own sequence
        rollups.add_new(contributions)
        return existing

    def _folios(self, new):
        """Folios of the tickets' creation years, in creation order, taken from the same
        counter as new reports: unique and without gaps (a failed batch gives them back)."""
        years = [timezone.localtime(t.created_at, self.zone).year for t in new]
        last = {}
        with connection.cursor() as cursor:
            for year in sorted(set(years)):
                cursor.execute(TAKE_NUMBERS_SQL, [year, years.count(year)])
                last[year] = cursor.fetchone()[0] - years.count(year)
        folios = []
        for year in years:
            last[year] += 1
            folios.append(format_folio(year, last[year]))
        return folios

    def _parents(self, numbers):
        if not numbers:
            return {}
        return dict(
            Ticket.objects.with_legacy_folio(numbers)
            .filter(legacy_source=self.source)
            .values_list("legacy_folio", "pk")
        )

    def _ticket_row(self, ticket, pk, folio, parents):
        parent_id = parents.get(ticket.parent_number) if ticket.parent_number else None
        doubt = (f"el reporte principal {ticket.parent_number} no está en el historial", "reporte principal ausente")
        if ticket.parent_number and parent_id is None and doubt not in ticket.doubts:  # once, if retried
            ticket.doubts.append(doubt)
        return {
            "id": pk,
            "folio": folio,
            "service_id": ticket.service.pk,
            "department_id": ticket.service.department_id,
            "status": ticket.status,
            "priority": Priority.NORMAL,
            "channel": Channel.IMPORTADO,
            "description": ticket.description,
            "address": ticket.address,
            "colonia_id": ticket.colonia_id,
            "locality_id": ticket.locality_id,
            "latitude": ticket.latitude,
            "longitude": ticket.longitude,
            "parent_id": parent_id,
            "legacy_source": self.source,
            "legacy_folio": ticket.number,
            "created_at": ticket.created_at,
            "updated_at": self.now,
            "resolved_at": ticket.resolved_at,
            "closed_at": ticket.closed_at,
            "due_at": None,  # imported history has no SLA
            "business_hours_to_resolve": None,
        }

    def _events(self, ticket, pk):
        """The trail of an imported ticket: its creation at the original time, whose note says
        where it came from (a CREATED event's note is never public: tickets/timeline.py), and
        its closing when the source dates it."""
        base = {"ticket_id": pk, "actor_id": None, "actor_name": "Sistema", "via": Via.IMPORTADO, "is_public": True}
        yield dict(
            base,
            kind=Kind.CREATED,
            created_at=ticket.created_at,
            old_value="",
            new_value=Status.NUEVO.label,
            note=origin_note(ticket, self.source, self.actor),
        )
        closed_at = ticket.resolved_at or ticket.closed_at
        if ticket.status in (Status.RESUELTO, Status.NO_PROCEDE, Status.DUPLICADO) and closed_at:
            yield dict(
                base,
                kind=Kind.STATUS,
                created_at=closed_at,
                old_value=Status.NUEVO.label,
                new_value=Status(ticket.status).label,
                note="",
            )

    # --- outcomes ---------------------------------------------------------------------------

    def _report(self, batch, existing):
        for ticket in batch:
            if ticket.refused:
                self.report.row(REJECTED, service=ticket.service)
                self.report.issue(ticket.row, REJECTED, ticket.refused, category="la base de datos no aceptó la fila")
            elif ticket.number in existing:
                self.report.row(EXISTING, service=ticket.service)
            else:
                self.report.row(DOUBTFUL if ticket.doubts else IMPORTED, service=ticket.service)
                for reason, category in ticket.doubts:
                    self.report.issue(ticket.row, DOUBTFUL, reason, category=category)


def origin_note(ticket, source, actor=None):
    row = ticket.row
    sheet = f", hoja «{row.sheet}»" if row.sheet else ""
    by = f" por {actor.get_full_name() or actor.get_username()}" if actor else ""
    parts = [
        f"Importado{by} de «{row.file}»{sheet}, fila {row.row}; número anterior {ticket.number} (origen {source})."
    ]
    if row.subject:
        parts.append(f"Asunto en el origen: «{' '.join(str(row.subject).split())[:150]}».")
    if row.status not in (None, ""):
        parts.append(f"Estado en el origen: «{str(row.status).strip()[:40]}».")
    if ticket.via:
        parts.append(f"Canal en el origen: {Via(ticket.via).label}.")
    if ticket.doubts:
        parts.append("Observaciones: " + "; ".join(reason for reason, _ in ticket.doubts) + ".")
    return " ".join(parts)
