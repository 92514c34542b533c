import os

from celery import Celery
from celery.signals import beat_init, worker_init

from metepec7311 import broker_guard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metepec7311.settings")

# A Redis restart must not stop a worker (metepec7311/broker_guard.py).
broker_guard.install()

app = Celery("metepec7311")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_to_start_misconfigured(**kwargs):
    """A worker or beat with, say, no REDIS_URL in production stops here (metepec7311/checks.py)."""
    from metepec7311.checks import refuse_to_start_on_errors

    refuse_to_start_on_errors()
