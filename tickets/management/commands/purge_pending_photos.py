from django.core.management.base import BaseCommand

from tickets.reporting import purge_pending


class Command(BaseCommand):
    help = "Borra las fotos de formularios con errores que nunca se volvieron a enviar (más de un día)."

    def handle(self, *args, **options):
        count = purge_pending()
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} fotos pendientes borradas.")
