import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metepec7311.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: a misconfigured production refuses to start here instead
# of failing later (metepec7311/checks.py).
from metepec7311.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()
