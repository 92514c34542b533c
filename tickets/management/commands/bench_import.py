"""The import benchmark of docs/performance.md (PostgreSQL, `make bench-import`):

import of a Gerencia spreadsheet of N rows (read, matched, checked, written with its trail and
rollups, the public numbers recomputed) / COPY FROM STDIN of the same ticket rows into the
tickets table, measured in the same run, interleaved. Goal ≥ 0.2.

The imported rows are taken out again after each round (with their rollup contributions), so
the benchmark database keeps its size.
"""

import io
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta

import openpyxl
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from stats import rollups
from stats.models import RollupChange
from tickets import bulk
from tickets.imports.run import import_files
from tickets.models import Service, Ticket

GOAL = 0.2


class Rollback(Exception):
    pass


def spreadsheet(rows, seed=7311):
    """A workbook like the Gerencia's: one sheet per service, text dates, points in Metepec."""
    rng = random.Random(seed)
    services = list(Service.objects.filter(citizen_reportable=True).order_by("code"))
    book = openpyxl.Workbook(write_only=True)
    sheets = {service.code: book.create_sheet(f" {service.code[:25]} ") for service in services}
    for sheet in sheets.values():
        sheet.append(["NUMERO DE", "ESTADO", "ASUNTO", "FECHA DE S", "LONG", "LAT"])
    start = datetime(2025, 1, 1)
    for n in range(rows):
        service = services[n % len(services)]
        day = start + timedelta(days=rng.randrange(365))
        point = (round(-99.62 + rng.random() * 0.08, 6), round(19.23 + rng.random() * 0.05, 6))
        sheets[service.code].append([1_000_000 + n, "CERRADO", service.name.upper(), f"{day:%d/%m/%Y}", *point])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Command(BaseCommand):
    help = "Mide la importación de historial contra un COPY de las mismas filas (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("El benchmark es para PostgreSQL: defina DATABASE_URL=postgres://…")
        rows = options["rows"]
        self.stdout.write(f"Escribiendo una hoja de {rows:,} filas…")
        data = spreadsheet(rows)
        imports, copies = [], []
        for round_ in range(options["rounds"]):
            source = f"bench-{uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            report = import_files([("BENCH.xlsx", data)], source=source)
            imports.append(time.perf_counter() - started)
            imported = report.outcomes["importado"] + report.outcomes["importado_con_dudas"]
            if imported != rows:
                raise CommandError(f"Se importaron {imported:,} de {rows:,} filas: {report.as_dict()['reasons']}")
            copies.append(self.copy_seconds(source))
            self.remove(source)
            self.stdout.write(f"  ronda {round_ + 1}: importación {imports[-1]:.1f} s, COPY {copies[-1]:.2f} s")
        imported_s, copy_s = statistics.median(imports), statistics.median(copies)
        ratio = copy_s / imported_s
        self.stdout.write(f"{'name':<34}{'numerator':>14}{'reference':>14}{'ratio':>8}{'goal':>8}")
        name, goal = "import rows/s (xlsx)", f"≥ {GOAL}"
        self.stdout.write(f"{name:<34}{rows / imported_s:>14,.0f}{rows / copy_s:>14,.0f}{ratio:>8.2f}{goal:>8}")
        self.stdout.write(f"(tickets en la base: {Ticket.objects.count():,})")

    def copy_seconds(self, source):
        """COPY FROM STDIN of the round's ticket rows into the tickets table itself (same
        indexes, same write-ahead log), as new rows, rolled back afterwards."""
        table = Ticket._meta.db_table
        columns = [f.column for f in Ticket._meta.concrete_fields]
        unique = {
            "id": "id + 1000000000",
            "folio": "'R' || folio",
            "reporter_token": "'r' || reporter_token",
            "legacy_source": "'ref-' || legacy_source",
        }
        select = ", ".join(unique.get(c, connection.ops.quote_name(c)) for c in columns)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            with cursor.cursor.copy(
                f"COPY (SELECT {select} FROM {table} WHERE legacy_source = %s) TO STDOUT", [source]
            ) as copy:
                for chunk in copy:
                    buffer.write(chunk)
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        copy.write(buffer.getvalue())
                    elapsed = time.perf_counter() - started
                    raise Rollback
            except Rollback:
                return elapsed

    def remove(self, source):
        """Take the round's tickets out again, with what they added to the rollups."""
        with transaction.atomic():
            tickets = Ticket.objects.filter(legacy_source=source)
            changes = [rollups.contribution(t).as_text() for t in tickets.iterator(chunk_size=5000)]
            ids = bulk.reserve_ids(RollupChange, len(changes))
            bulk.insert_rows(
                RollupChange, [{"id": i, "before": c, "after": ""} for i, c in zip(ids, changes, strict=True)]
            )
            tickets.delete()
        rollups.fold_all()
