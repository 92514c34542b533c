"""Throughput of the APIs at scale (docs/performance.md), each against a reference measured
in the same run on the same gunicorn, the pair interleaved round after round:

- GET /open311/v2/requests.json (default window) and GET /api/v1/tickets/
  vs a bare view returning constant JSON (goal ≥ 0.3);
- POST /open311/v2/requests.json (a real report through the lifecycle)
  vs a bare view doing one ORM INSERT (goal ≥ 0.3).

Also for the record: the time to build each list answer when it is not cached.
Run through `make bench` (PostgreSQL, BENCH_TICKETS tickets).
"""

import statistics
import time
from urllib.parse import urlencode

from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from api.models import ApiClient
from stats.benchmark import load
from stats.benchmark.server import BenchServer
from stats.benchmark.urls import BENCH_EVENTS
from tickets.models import Ticket, TicketEvent

GOAL = 0.3


class Command(BaseCommand):
    help = "Mide Open311 y la API REST (lecturas y reportes) frente a vistas de referencia, en la misma corrida."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=6, help="Duración de cada medición.")
        parser.add_argument("--rounds", type=int, default=5, help="Rondas intercaladas por par.")

    def handle(self, *args, seconds, rounds, **options):
        if connection.vendor != "postgresql":
            raise CommandError("El benchmark es para PostgreSQL: defina DATABASE_URL=postgres://…")
        total = Ticket.objects.count()
        if total < 1000:
            raise CommandError("Primero cargue tickets (make bench lo hace).")
        _, key = ApiClient.objects.create_key(name="Benchmark", rate="100000000/m")
        # Earlier runs left the reference view's rows, dead rows and unflushed pages: start
        # every run from the same state.
        TicketEvent.objects.filter(**BENCH_EVENTS).delete()
        with connection.cursor() as cursor:
            for table in ("tickets_ticket", "tickets_ticketevent", "stats_rollupchange"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("CHECKPOINT")
        cold = self.cold_builds()
        report = {
            "service_code": "bacheo",
            "lat": "19.2545",
            "long": "-99.6053",
            "description": "Bache de prueba de carga",
            "api_key": key,
        }
        rows = []
        with BenchServer(self.stdout) as base:
            constant = f"{base}/bench/constant"
            for name, url in (
                ("GET /open311/v2/requests.json", f"{base}/open311/v2/requests.json"),
                ("GET /api/v1/tickets/", f"{base}/api/v1/tickets/"),
            ):
                rows.append((name, *self.pair(url, constant, seconds, rounds), "constant JSON"))
            body = urlencode(report)
            rows.append(
                (
                    "POST /open311/v2/requests.json",
                    *self.pair(f"{base}/open311/v2/requests.json", f"{base}/bench/insert", seconds, rounds, body=body),
                    "one ORM INSERT",
                )
            )
        self.stdout.write(f"\n{total:,} tickets; {rounds} rondas intercaladas de {seconds} s por medición")
        self.stdout.write(f"{'name':34} {'req/s':>9} {'ref req/s':>10} {'ratio':>6}  goal   reference")
        for name, measured, reference, ratio, what in rows:
            self.stdout.write(f"{name:34} {measured:9.0f} {reference:10.0f} {ratio:6.2f}  ≥{GOAL}  {what}")
        self.stdout.write("\nSin caché (una respuesta construida desde la base de datos), mediana de 5:")
        for name, ms in cold:
            self.stdout.write(f"  {name}: {ms:.0f} ms")

    def pair(self, url, reference, seconds, rounds, body=None):
        """(median req/s, median reference req/s, median of the per-round ratios)."""
        measured, references, ratios = [], [], []
        for _ in range(rounds):
            ref, _tool = load.requests_per_second(reference, seconds=seconds, body=body)
            got, _tool = load.requests_per_second(url, seconds=seconds, body=body)
            measured.append(got)
            references.append(ref)
            ratios.append(got / ref)
        return statistics.median(measured), statistics.median(references), statistics.median(ratios)

    def cold_builds(self):
        """Build times of the cached list answers with the cache bypassed (new version each)."""
        client = Client()
        results = []
        for name, path in (
            ("requests.json (1,000 requests)", "/open311/v2/requests.json"),
            ("tickets/", "/api/v1/tickets/"),
        ):
            samples = []
            for _ in range(6):
                caches["answers"].clear()
                started = time.perf_counter()
                response = client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content[:200]
            results.append((name, statistics.median(samples[1:])))
        return results
