import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from tickets.models import Department, StaffProfile
from tickets.permissions import DEPARTMENT_GROUP, EDITOR_GROUP, OPERATOR_GROUP, SUPERVISOR_GROUP

# username, full name, group, department (for department staff)
DEMO_STAFF = [
    ("gerencia", "Sofía Supervisora", SUPERVISOR_GROUP, None),
    ("operador", "Olga Operadora", OPERATOR_GROUP, None),
    ("obras", "Óscar de Obras Públicas", DEPARTMENT_GROUP, "Dirección de Obras Públicas"),
    ("servicios", "Sergio de Servicios Públicos", DEPARTMENT_GROUP, "Dirección de Servicios Públicos"),
    ("opdapas", "Paula de OPDAPAS", DEPARTMENT_GROUP, "OPDAPAS Metepec"),
    ("comunicacion", "Elena de Comunicación Social", EDITOR_GROUP, None),
]


class Command(BaseCommand):
    help = "Crea las cuentas de demostración del personal (solo en desarrollo) e indica cómo entrar."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Permitirlo aunque DEBUG esté apagado.")
        parser.add_argument(
            "--code",
            metavar="USUARIO",
            help="Solo en desarrollo: imprime el código de verificación en dos pasos vigente de ese usuario "
            "(para probar sin teléfono).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Las cuentas de demostración tienen una contraseña conocida: solo con DEBUG=1.")
        if options["code"]:
            return self.print_code(options["code"])
        password = os.environ.get("DEMO_PASSWORD", "metepec7311")
        User = get_user_model()
        created = []
        for username, full_name, group_name, department_name in DEMO_STAFF:
            if User.objects.filter(username=username).exists():
                continue  # never reset a password someone may have changed
            first, _, last = full_name.partition(" ")
            user = User.objects.create_user(
                username=username,
                password=password,
                first_name=first,
                last_name=last,
                is_staff=True,
                email=f"{username}@example.com",
            )
            user.groups.add(Group.objects.get(name=group_name))
            department = Department.objects.filter(name=department_name).first() if department_name else None
            StaffProfile.objects.create(user=user, department=department)
            created.append(username)
        self.stdout.write("")
        self.stdout.write("Entre al panel del personal en http://127.0.0.1:8000/admin/ con cualquiera de:")
        for username, _, group_name, department_name in DEMO_STAFF:
            where = f" — {department_name}" if department_name else ""
            self.stdout.write(f"  {username:<10} ({group_name}{where})")
        self.stdout.write(f"  contraseña: {password}" + ("" if created else " (si no la cambió)"))
        self.stdout.write(
            "  La supervisora (gerencia) configura la verificación en dos pasos al entrar; sin teléfono, "
            "el código vigente sale con: DEBUG=1 .venv/bin/python manage.py demo_users --code gerencia"
        )

    def print_code(self, username):
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "pk").first()
        if device is None:
            raise CommandError(f"{username} no tiene aplicación de autenticación: entre al panel para configurarla.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}")
