from django.core.management.base import BaseCommand

from stats import rollups


class Command(BaseCommand):
    help = "Compara los acumulados con un recuento completo de tickets; informa y corrige diferencias."

    def add_arguments(self, parser):
        parser.add_argument("--no-repair", action="store_true", help="Solo informar, no corregir.")

    def handle(self, *args, **options):
        report = rollups.reconcile(repair=not options["no_repair"])
        style = self.style.SUCCESS if report.cells_drifted == 0 else self.style.WARNING
        self.stdout.write(style(f"{report.cells_checked} celdas revisadas, {report.cells_drifted} con diferencias."))
        for item in report.sample[:10]:
            self.stdout.write(f"  {':'.join(item['cell'])}: guardado {item['stored']}, recuento {item['recount']}")
