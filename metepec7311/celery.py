import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metepec7311.settings")

app = Celery("metepec7311")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
