"""Measure the staff's ticket list at scale (docs/performance.md).

Fills the database up to --tickets demo tickets, then times the admin changelist (full
request through the test client: query, rendering, middleware) unfiltered, filtered by
department and by SLA state, next to a single-row fetch by id measured in the same run.
Run it through `make bench` on PostgreSQL.
"""

import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.urls import reverse

from metepec7311.testing.staff import StaffClient as Client  # logs in with both factors (2FA)
from tickets.models import Department, SlaState, Ticket
from tickets.permissions import DEPARTMENT_GROUP, SUPERVISOR_GROUP


def median_ms(function, runs):
    function()  # warm caches and connections once
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


class Command(BaseCommand):
    help = "Mide la lista de tickets del admin con N tickets frente a una lectura por id."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("El benchmark es para PostgreSQL: defina DATABASE_URL=postgres://…")
        missing = options["tickets"] - Ticket.objects.count()
        if missing > 0:
            self.stdout.write(f"Creando {missing:,} tickets de demostración…")
            call_command(
                "seed_demo", tickets=missing, seed=random.randrange(10**6), no_practice=True, stdout=self.stdout
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE tickets_ticketevent")

        supervisor, obras_staff = self.bench_users()
        obras = Department.objects.get(name="Dirección de Obras Públicas")
        total = Ticket.objects.count()
        ids = list(Ticket.objects.order_by("?").values_list("pk", flat=True)[:500])
        url = reverse("admin:tickets_ticket_changelist")
        as_supervisor, as_obras = Client(), Client()
        as_supervisor.force_login(supervisor)
        as_obras.force_login(obras_staff)
        runs = options["runs"]

        def fetch_one():
            Ticket.objects.get(pk=random.choice(ids))

        def get(client, params=None):
            def request():
                response = client.get(url, params or {})
                assert response.status_code == 200, response.status_code

            return request

        reference = median_ms(fetch_one, runs * 10)
        cases = [
            ("lista sin filtro (supervisor)", get(as_supervisor)),
            ("filtrada por dependencia (supervisor)", get(as_supervisor, {"department__id__exact": obras.pk})),
            ("personal de Obras Públicas (su dependencia)", get(as_obras)),
            ("filtrada por plazo vencido", get(as_supervisor, {"sla": SlaState.VENCIDO})),
            ("filtrada por plazo por vencer", get(as_supervisor, {"sla": SlaState.POR_VENCER})),
            ("dependencia + vencido", get(as_supervisor, {"department__id__exact": obras.pk, "sla": "vencido"})),
            ("búsqueda por folio", get(as_supervisor, {"q": Ticket.objects.get(pk=ids[0]).folio})),
        ]
        self.stdout.write("")
        self.stdout.write(f"PostgreSQL {connection.pg_version // 10000}, {total:,} tickets, mediana de {runs} corridas")
        self.stdout.write(f"{'caso':<46} {'ms':>9} {'× lectura por id':>18}")
        self.stdout.write(f"{'lectura de un ticket por id (referencia)':<46} {reference:>9.2f} {1:>18.0f}")
        for label, request in cases:
            elapsed = median_ms(request, runs)
            self.stdout.write(f"{label:<46} {elapsed:>9.1f} {elapsed / reference:>18.0f}")

    def bench_users(self):
        from django.contrib.auth.models import Group

        from tickets.models import StaffProfile

        User = get_user_model()
        supervisor, created = User.objects.get_or_create(username="bench-supervisor", defaults={"is_staff": True})
        if created:
            supervisor.groups.add(Group.objects.get(name=SUPERVISOR_GROUP))
        obras_staff, created = User.objects.get_or_create(username="bench-obras", defaults={"is_staff": True})
        if created:
            obras_staff.groups.add(Group.objects.get(name=DEPARTMENT_GROUP))
            StaffProfile.objects.create(
                user=obras_staff, department=Department.objects.get(name="Dirección de Obras Públicas")
            )
        return supervisor, obras_staff
