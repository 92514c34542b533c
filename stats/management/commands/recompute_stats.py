from django.core.management.base import BaseCommand

from stats import rollups, snapshot


class Command(BaseCommand):
    help = "Recalcula las cifras públicas (banner y estadísticas) desde los acumulados."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Antes, reconstruye los acumulados desde cero.")

    def handle(self, *args, **options):
        if options["rebuild"]:
            cells = rollups.rebuild()
            self.stdout.write(f"Acumulados reconstruidos: {cells} celdas.")
        result = snapshot.recompute()
        banner = result.data["banner"]
        if options["verbosity"] > 0:
            self.stdout.write(
                f"Cifras al {result.computed_at:%Y-%m-%d %H:%M}: {banner['total']} tickets, "
                f"{banner['en_proceso']} en proceso, {banner['resueltos']} resueltos."
            )
