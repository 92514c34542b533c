from django.core.management.base import BaseCommand

from tickets.reference import load_reference_data


class Command(BaseCommand):
    help = "Carga catálogo, territorio, calendario y grupos de personal sin pisar lo editado en el admin."

    def handle(self, *args, **options):
        report = load_reference_data()
        if options["verbosity"] > 0:
            self.stdout.write(str(report))
