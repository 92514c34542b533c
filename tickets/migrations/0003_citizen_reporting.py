import secrets
import uuid

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import tickets.models.ticket


def give_every_ticket_a_token(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    ids = list(Ticket.objects.filter(reporter_token__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        batch = [Ticket(pk=pk, reporter_token=secrets.token_urlsafe(24)) for pk in ids[start : start + 2000]]
        Ticket.objects.bulk_update(batch, ["reporter_token"])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_trigram_search")]

    operations = [
        # A unique random token per existing ticket: add nullable, fill, then constrain.
        migrations.AddField(
            model_name="ticket",
            name="reporter_token",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.RunPython(give_every_ticket_a_token, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ticket",
            name="reporter_token",
            field=models.CharField(
                default=tickets.models.ticket.new_reporter_token, editable=False, max_length=40, unique=True
            ),
        ),
        migrations.CreateModel(
            name="PendingPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("image", models.ImageField(upload_to=tickets.models.ticket.pending_photo_path)),
                ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=64, unique=True)),
                (
                    "action",
                    models.CharField(
                        choices=[("created", "Reporte creado"), ("followed", "Se sumó a un reporte")], max_length=10
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tickets.ticket"
                    ),
                ),
            ],
        ),
    ]
