# The receipts' and notifications' keys stay unique through Meta.constraints instead of
# unique=True, which also built a "LIKE" index (varchar_pattern_ops) that no query uses and
# that every report wrote. The new unique indexes are built before the old ones are dropped, so
# the keys are never unguarded; the notifications' covers only rows that have a key (a
# resident's confirmation has none).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0021_alert_notification_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("key__isnull", False)), fields=("key",), name="notification_key_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(fields=("key",), name="submission_key_unique"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="key",
            field=models.CharField(blank=True, max_length=120, null=True, verbose_name="clave"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="key",
            field=models.CharField(max_length=128),
        ),
    ]
