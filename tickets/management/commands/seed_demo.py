from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tickets import demo
from tickets.models import Service, Ticket
from tickets.permissions import SUPERVISOR_GROUP


class Command(BaseCommand):
    help = "Crea tickets de demostración con historiales realistas (en bloque, con barra de progreso)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=400, help="Cuántos tickets crear (por omisión 400).")
        parser.add_argument("--days", type=int, help="Repartidos en los últimos N días.")
        parser.add_argument("--if-empty", action="store_true", help="Solo si la base no tiene tickets.")
        parser.add_argument("--seed", type=int, default=7311, help="Semilla aleatoria (reproducible).")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--no-practice",
            action="store_true",
            help="Sin los tickets de práctica de hoy (vencidos, por vencer, en espera… en cada dependencia).",
        )

    def handle(self, *args, **options):
        if not Service.objects.exists():
            raise CommandError("Primero cargue los datos de referencia: manage.py load_reference_data")
        if options["if_empty"] and Ticket.objects.exists():
            self.stdout.write("La base ya tiene tickets: no se agregan de demostración.")
            return
        count = options["tickets"]
        if count < 1:
            raise CommandError("--tickets debe ser al menos 1.")
        staff = {}
        for user in get_user_model().objects.filter(is_active=True, staff_profile__department__isnull=False):
            staff.setdefault(user.staff_profile.department_id, []).append(user)
        with tqdm(total=count, unit=" tickets", disable=options["verbosity"] < 1, file=self.stderr) as bar:
            created = demo.seed(
                count,
                days=options["days"],
                batch_size=options["batch_size"],
                progress=bar.update,
                seed_value=options["seed"],
                staff_by_department=staff,
            )
        self.stdout.write(self.style.SUCCESS(f"{created} tickets de demostración creados."))
        if not options["no_practice"]:
            supervisor = get_user_model().objects.filter(is_active=True, groups__name=SUPERVISOR_GROUP).first()
            practiced = demo.practice(staff_by_department=staff, actor=supervisor)
            self.stdout.write(
                f"{practiced} tickets de práctica para las colas del personal (vencidos, por vencer, en espera, "
                "reabiertos, duplicados y sin asignar en cada dependencia)."
            )
        # The other apps' demo content: ratings of resolved tickets, and a few articles.
        from news.demo import seed_articles
        from surveys.demo import seed_ratings

        rated, articles = seed_ratings(), seed_articles()
        self.stdout.write(f"{rated} calificaciones y {articles} noticias de demostración.")
