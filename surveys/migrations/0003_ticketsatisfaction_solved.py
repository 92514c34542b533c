from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_encuesta_7311")]

    operations = [
        migrations.AddField(
            model_name="ticketsatisfaction",
            name="solved",
            field=models.BooleanField(
                default=True, help_text="Lo que respondió quien reportó antes de calificar.", verbose_name="¿se resolvió?"
            ),
        ),
    ]
