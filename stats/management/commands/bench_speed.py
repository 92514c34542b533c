"""The speed table (docs/performance.md, issue #12), at one or more sizes of the database:

    name  numerator  reference  ratio  goal

Every row is a pair measured in the same run, interleaved: public pages and APIs against a
bare view returning constant JSON, POSTs against a bare view doing one ORM INSERT with the same
body, exports against COPY of the same SELECT, the staff list against a plain ListView of the
same rows, the recompute against one GROUP BY. PostgreSQL only; `make bench` and
`make bench-quick` run it.
"""

import os
import random
import shutil

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import override_settings
from tqdm import tqdm

from api.models import ApiClient
from metepec7311.testing.staff import StaffClient
from stats import snapshot
from stats.benchmark import data, speed
from stats.benchmark.server import BenchServer
from tickets.models import Department, Ticket
from tickets.permissions import SUPERVISOR_GROUP

SEEDED_UP_TO = 1_000_000  # demo tickets (with their trails) up to here; synthetic beyond


class Command(BaseCommand):
    help = "Mide cada página, API, exportación y la lista del personal frente a su referencia (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000000", help="Tamaños de la base, separados por comas.")
        parser.add_argument("--seconds", type=int, default=5, help="Duración de cada medición de carga.")
        parser.add_argument("--rounds", type=int, default=3, help="Rondas intercaladas por par.")
        parser.add_argument(
            "--only",
            default="",
            help="Solo estos grupos: pages,map,posts,apis,exports,admin,recompute (none: solo llenar la base)",
        )

    def handle(self, *args, sizes, seconds, rounds, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("El benchmark es para PostgreSQL: defina DATABASE_URL=postgres://…")
        groups = set(only.split(",")) if only else {"pages", "map", "posts", "apis", "exports", "admin", "recompute"}
        if groups & {"pages", "map", "posts", "apis"} and not shutil.which("wrk"):
            # Said before the hour of filling the database, not as a traceback after it.
            raise CommandError("Falta wrk, que genera la carga: apt-get install wrk (make bench lo instala)")
        tables = []
        for size in (int(s) for s in sizes.split(",")):
            self.grow(size)
            if groups != {"none"}:  # --only none: fill the database, measure nothing
                tables.append(self.measure(groups, seconds, rounds))
        for total, rows in tables:
            self.print_table(total, rows, seconds, rounds)

    def grow(self, size):
        missing = size - Ticket.objects.count()
        seeded = min(size, SEEDED_UP_TO) - Ticket.objects.count()
        if seeded > 0:
            self.stdout.write(f"Creando {seeded:,} tickets de demostración…")
            call_command(
                "seed_demo", tickets=seeded, seed=random.randrange(10**6), no_practice=True, stdout=self.stdout
            )
            missing -= seeded
        if missing > 0:
            self.stdout.write(f"Generando {missing:,} tickets sintéticos y reconstruyendo acumulados…")
            with tqdm(total=missing, unit=" tickets", file=self.stderr) as bar:
                data.grow_to(size, progress=bar.update)

    def measure(self, groups, seconds, rounds):
        removed = speed.remove_posted_reports()
        if removed:
            self.stdout.write(f"Borrados {removed:,} reportes de mediciones anteriores.")
        speed.clean_reference_rows()
        with connection.cursor() as cursor:
            for table in ("tickets_ticket", "tickets_ticketevent", "stats_rollupchange", "tickets_submission"):
                cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute("CHECKPOINT")
        total = Ticket.objects.count()
        self.stdout.write(f"\n{total:,} tickets")
        run = None
        if "recompute" in groups:
            run = speed.Speed("", seconds=seconds, rounds=rounds, out=self.stdout.write)
            run.recompute(total)
        if "admin" in groups:
            run = run or speed.Speed("", seconds=seconds, rounds=rounds, out=self.stdout.write)
            with override_settings(ROOT_URLCONF="stats.benchmark.urls", ALLOWED_HOSTS=["testserver"]):
                client = StaffClient()
                client.force_login(self.supervisor())
                obras = Department.objects.get(name="Dirección de Obras Públicas")
                speed.admin_rows(run, client, obras.pk)
        if "map" in groups:
            run = run or speed.Speed("", seconds=seconds, rounds=rounds, out=self.stdout.write)
            with override_settings(ROOT_URLCONF="stats.benchmark.urls", ALLOWED_HOSTS=["testserver"]):
                speed.map_rows(run)
        rows = run.rows if run else []
        http = groups & {"pages", "map", "posts", "apis", "exports"}
        if http:
            # The public numbers as the beat task keeps them (a database filled with `--only
            # none` has none yet, and /estadisticas/ would answer "cifras en preparación").
            snapshot.recompute()
            _, key = ApiClient.objects.create_key(name="Benchmark", rate="1000000000/m")
            with BenchServer(self.stdout) as base:
                web = speed.Speed(base, seconds=seconds, rounds=rounds, out=self.stdout.write)
                if "pages" in groups:
                    web.public_pages()
                    web.visits()
                if "map" in groups:
                    web.map_pages()
                if "posts" in groups:
                    web.report_posts()
                if "apis" in groups:
                    web.apis(key)
                if "exports" in groups:
                    web.exports()
                rows += web.rows
        speed.clean_reference_rows()
        return total, rows

    def supervisor(self):
        user, created = get_user_model().objects.get_or_create(username="bench-supervisor", defaults={"is_staff": True})
        if created:
            user.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        return user

    def print_table(self, total, rows, seconds, rounds):
        self.stdout.write(
            f"\n{total:,} tickets · {os.cpu_count()} núcleos · PostgreSQL {connection.pg_version // 10000} · "
            f"{rounds} rondas intercaladas de {seconds} s por par (mediana de las razones)"
        )
        self.stdout.write(f"{'name':46} {'numerator':>16} {'reference':>16} {'ratio':>6}  {'goal':6}  reference")
        for row in rows:
            mark = {True: "✓", False: "✗", None: " "}[row.met]
            self.stdout.write(
                f"{row.name:46} {row.numerator:>10,.1f} {row.unit:5} {row.reference:>10,.1f} {row.unit:5}"
                f" {row.ratio:6.2f}  {row.goal:6} {mark} {row.reference_name}"
            )
