"""The transparency benchmarks of docs/performance.md, each as a ratio to a reference
measured in the same run (PostgreSQL; run through `make bench`):

1. recompute of the public numbers / SELECT service_id, count(*) … GROUP BY 1 (≤ 0.1 at 10M)
2. banner page throughput / a bare Django view returning constant JSON (≥ 0.5)
3. open data export rows per second / COPY … TO STDOUT of the same columns (≥ 0.5)
"""

import os
import statistics
import time
import urllib.request
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from stats import numbers, opendata, snapshot
from stats.benchmark import data, load
from stats.benchmark.server import BenchServer
from surveys.models import TicketSatisfaction
from tickets.models import Ticket


def median_seconds(function, runs=5):
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


class Command(BaseCommand):
    help = "Mide recálculo, rendimiento del banner y exportación a 1 y 10 millones de tickets (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000000,10000000", help="Tamaños separados por comas.")
        parser.add_argument("--seconds", type=int, default=10, help="Duración de cada prueba de carga.")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("El benchmark es para PostgreSQL: defina DATABASE_URL=postgres://…")
        results = []
        for size in [int(s) for s in options["sizes"].split(",")]:
            missing = max(0, size - Ticket.objects.count())
            if missing:
                self.stdout.write(f"Generando {missing:,} tickets sintéticos y reconstruyendo acumulados…")
            with tqdm(total=missing, unit=" tickets", file=self.stderr, disable=not missing) as bar:
                data.grow_to(size, progress=bar.update)  # also rates a share of resolved tickets
            results.append(self.measure(size, options["seconds"]))
        self.report(results)

    def measure(self, size, seconds):
        total = Ticket.objects.count()

        def group_by():
            with connection.cursor() as cursor:
                cursor.execute("SELECT service_id, count(*) FROM tickets_ticket GROUP BY 1")
                cursor.fetchall()

        reference = median_seconds(group_by)
        recompute = median_seconds(snapshot.recompute)
        # For the record (no target): a filtered /estadisticas/ view, computed per request
        # from the month cells — the last twelve months, and one service over all time.
        today = date.today().replace(day=1)
        year = numbers.Filter(start=today.replace(year=today.year - 1))
        service = numbers.Filter(service_id=Ticket.objects.values_list("service_id", flat=True).first())
        filtered_year = median_seconds(lambda: numbers.statistics(year))
        filtered_service = median_seconds(lambda: numbers.statistics(service))
        self.stdout.write(f"{total:,}: recálculo {recompute * 1000:.0f} ms, GROUP BY {reference * 1000:.0f} ms")

        def copy_rows():
            rows = 0
            with connection.cursor() as cursor, cursor.cursor.copy(*opendata.copy_statement()) as copy:
                for chunk in copy:
                    rows += bytes(chunk).count(b"\n")
            return rows

        started = time.perf_counter()
        copied = copy_rows()
        copy_rate = copied / (time.perf_counter() - started)

        with self.server() as base:
            banner_rate, tool = load.requests_per_second(f"{base}/", seconds)
            api_rate, _ = load.requests_per_second(f"{base}/api/v1/stats/banner", seconds)
            constant_rate, _ = load.requests_per_second(f"{base}/bench/constant", seconds)
            started = time.perf_counter()
            with urllib.request.urlopen(f"{base}/datos/tickets.csv", timeout=3600) as response:
                exported = sum(chunk.count(b"\n") for chunk in iter(lambda: response.read(1 << 20), b"")) - 1
            export_rate = exported / (time.perf_counter() - started)
        return {
            "tickets": total,
            "ratings": TicketSatisfaction.objects.count(),
            "group_by_s": reference,
            "recompute_s": recompute,
            "filtered_year_s": filtered_year,
            "filtered_service_s": filtered_service,
            "banner_rps": banner_rate,
            "api_rps": api_rate,
            "constant_rps": constant_rate,
            "tool": tool,
            "copy_rows_s": copy_rate,
            "export_rows_s": export_rate,
            "exported": exported,
            "copied": copied,
        }

    def server(self):
        return BenchServer(self.stdout)

    def report(self, results):
        self.stdout.write("")
        self.stdout.write(
            f"Máquina: {os.cpu_count()} núcleos; PostgreSQL {connection.pg_version // 10000}; "
            f"caché {'Redis' if settings.REDIS_URL else 'memoria local'}"
        )
        for r in results:
            self.stdout.write(f"\n{r['tickets']:,} tickets, {r['ratings']:,} calificaciones")
            self.stdout.write(
                f"  recálculo {r['recompute_s'] * 1000:.0f} ms / GROUP BY {r['group_by_s'] * 1000:.0f} ms"
                f" = {r['recompute_s'] / r['group_by_s']:.3f}   (meta ≤ 0.1 a 10M)"
            )
            self.stdout.write(
                f"  (estadísticas filtradas: últimos 12 meses {r['filtered_year_s'] * 1000:.0f} ms,"
                f" un servicio {r['filtered_service_s'] * 1000:.0f} ms)"
            )
            self.stdout.write(
                f"  página con banner {r['banner_rps']:.0f} req/s / vista JSON constante {r['constant_rps']:.0f} req/s"
                f" = {r['banner_rps'] / r['constant_rps']:.2f}   (meta ≥ 0.5; {r['tool']})"
            )
            self.stdout.write(
                f"  API del banner {r['api_rps']:.0f} req/s / constante = {r['api_rps'] / r['constant_rps']:.2f}"
            )
            self.stdout.write(
                f"  exportación {r['export_rows_s']:,.0f} filas/s / COPY {r['copy_rows_s']:,.0f} filas/s"
                f" = {r['export_rows_s'] / r['copy_rows_s']:.2f}   (meta ≥ 0.5; {r['exported']:,} filas)"
            )
