from django.core.management.base import BaseCommand

from tickets.tasks import mark_overdue


class Command(BaseCommand):
    help = "Registra el vencimiento de los tickets abiertos que pasaron su fecha compromiso."

    def handle(self, *args, **options):
        count = mark_overdue()
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} tickets marcados como vencidos.")
