from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tickets.imports.formats import FORMATS
from tickets.imports.run import import_files
from tickets.models import Service


class Command(BaseCommand):
    help = (
        "Importa historial de tickets: hojas de la Gerencia (.xlsx/.csv), exportaciones de Zendesk "
        "(.json/.csv), los datos abiertos del portal (tickets.csv) u Open311 (requests.json/.xml). "
        "Se puede repetir: lo ya importado no se duplica ni se modifica."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="ARCHIVO")
        parser.add_argument("--format", choices=FORMATS, help="Formato de todos los archivos (si no, se reconoce).")
        parser.add_argument(
            "--source",
            help="Sistema de los números anteriores (por omisión gerencia, portal u open311, según el formato).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Revisar y dar el informe sin guardar nada.")
        parser.add_argument("--batch-size", type=int, default=5000, help="Filas por transacción.")

    def handle(self, *args, **options):
        if not Service.objects.exists():
            raise CommandError("Primero cargue los datos de referencia: manage.py load_reference_data")
        source = (options["source"] or "").strip().lower() or None
        if source and len(source) > 20:
            raise CommandError("--source admite hasta 20 caracteres.")
        files = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"No existe el archivo «{name}».")
            files.append((path.name, path.read_bytes()))
        with tqdm(unit=" filas", disable=options["verbosity"] < 1, file=self.stderr) as bar:

            def progress(done, total):
                bar.total, bar.n = total, done
                bar.refresh()

            report = import_files(
                files,
                fmt=options["format"],
                source=source,
                dry_run=options["dry_run"],
                progress=progress,
                batch_size=options["batch_size"],
            )
        for line in report.lines():
            self.stdout.write(line)
