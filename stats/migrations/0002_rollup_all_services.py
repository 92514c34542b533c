"""Rollup.service becomes a plain service id, so that all-time area and month cells can add
up every service (id 0). The table is emptied here and recounted from the tickets at the end
of migrate (stats.apps.rebuild_missing_rollups)."""

from django.db import migrations, models


def forget(apps, schema_editor):
    apps.get_model("stats", "Rollup").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial"), ("tickets", "0004_resolution_hours")]

    operations = [
        migrations.RunPython(forget, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="rollup", name="uniq_rollup_cell"),
        migrations.RemoveField(model_name="rollup", name="service"),
        migrations.AddField(
            model_name="rollup", name="service_id", field=models.PositiveIntegerField(default=0), preserve_default=False
        ),
        migrations.AddConstraint(
            model_name="rollup",
            constraint=models.UniqueConstraint(
                fields=("grain", "period", "service_id", "dimension", "member", "bucket"), name="uniq_rollup_cell"
            ),
        ),
    ]
