"""manage.py create_api_key NAME: a key for an Open311 client, printed alone on the last line
(so a script can read it with `tail -1`). Only its hash is stored."""

from django.core.management.base import BaseCommand, CommandError

from api.models import ApiClient


class Command(BaseCommand):
    help = "Crea una clave de API para un cliente Open311 e imprime la clave sola en la última línea."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nombre del sistema cliente (aparece en el historial de sus reportes).")
        parser.add_argument("--contact", default="", help="Quién responde por el cliente.")
        parser.add_argument("--rate", default="60/m", help="Reportes aceptados por periodo (60/m, 1000/h…).")

    def handle(self, *args, name, contact, rate, **options):
        name = name.strip()
        if not name or len(name) > 50:
            raise CommandError("El nombre es obligatorio y admite hasta 50 caracteres.")
        client, key = ApiClient.objects.create_key(name=name, contact=contact, rate=rate)
        self.stdout.write(
            f"Clave creada para «{client.name}» (prefijo {client.prefix}). Guárdela: no se vuelve a mostrar."
        )
        self.stdout.write(key)
