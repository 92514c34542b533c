"""Shared test fixtures: the reference data, the personas, frozen time and service gates.

Personas (DESIGN.md and STYLE.md): a resident, Olga the call-center operator, Óscar of
Obras Públicas, Paula of OPDAPAS, and Sofía, a supervisor of the Gerencia.

Tests that need something a bare machine lacks (PostgreSQL, Redis, Chromium) skip with a
one-line reason. REQUIRE_SERVICES (comma-separated: postgres, redis, chromium, or all)
turns those skips into failures; CI sets it so that it always runs everything.
"""

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from tickets.models import Department, Service, StaffProfile
from tickets.permissions import DEPARTMENT_GROUP, OPERATOR_GROUP, SUPERVISOR_GROUP

MX = ZoneInfo("America/Mexico_City")

# Playwright fixtures (phone, desktop, …) for the browser tests of every app.
pytest_plugins = ["metepec7311.testing.browser"]


# Every public HTML page a resident reaches from the navigation (tests that must hold on all).
PUBLIC_PAGES = (
    "/",
    "/reportar/",
    "/reportar/bacheo/",
    "/seguimiento/",
    "/mis-reportes/",
    "/sin-conexion/",
    "/mapa/",
    "/avisos/",
    "/estadisticas/",
    "/datos/",
    "/noticias/",
    "/encuesta_7311/",
    "/encuesta_7311/resultados/",
    "/aviso-de-privacidad/",
)


def local(*args):
    """An aware datetime in Metepec's time zone: local(2026, 12, 4, 17)."""
    return datetime(*args, tzinfo=MX)


def require_service(name, available, how):
    """Skip (or, when CI requires the service, fail) a test that needs `name`."""
    if available:
        return
    required = {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}
    message = f"needs {name}: {how}"
    if name in required or "all" in required:
        pytest.fail(f"REQUIRE_SERVICES includes {name} but it is missing — {message}")
    pytest.skip(message)


@pytest.fixture
def needs_postgres(db):
    require_service(
        "postgres",
        connection.vendor == "postgresql",
        "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/metepec7311",
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once into the test database, as `make run` does."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fresh_state(request, settings, media_root):
    settings.MEDIA_ROOT = str(media_root)  # uploads never land in the working tree
    # Password hashing is deliberately slow; tests create many staff users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for alias in django_settings.CACHES:
        caches[alias].clear()
    from stats import snapshot

    snapshot._stamp.update(value=None, until=0.0)  # each process's memo of the newest snapshot
    from tickets import changes

    changes._tokens.clear()  # and of the tickets' page tokens
    changes._memo.update(version=None, until=0.0)  # and of their version (the public map)
    from tickets import catalogue

    catalogue.forget_here()  # and its copy of the reference data
    from visits import buffer as visits_buffer

    visits_buffer.forget()  # and the page views it has not written yet
    # Tasks run in-process even when REDIS_URL is set; tests of the real worker opt out.
    from metepec7311.celery import app as celery_app

    eager = request.node.get_closest_marker("real_worker") is None
    celery_app.conf.task_always_eager = eager
    # pytest-django runs transactional tests last; each one empties the database after
    # itself, so the next one reloads the reference data it needs.
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        if not Service.objects.exists():
            call_command("load_reference_data", verbosity=0)
        _restore_migration_data()
    yield


def _restore_migration_data():
    """Transactional tests empty every table, data migrations' rows included: put back
    encuesta_7311 (surveys/migrations/0002) for the next test."""
    import importlib

    from django.apps import apps

    from surveys.models import Survey

    if not Survey.objects.filter(slug="encuesta_7311").exists():
        importlib.import_module("surveys.migrations.0002_encuesta_7311").create(apps, None)


@pytest.fixture
def client():
    """Django's test client; `force_login` includes the second factor (metepec7311/testing/staff.py)."""
    from metepec7311.testing.staff import StaffClient

    return StaffClient()


@pytest.fixture
def frozen(time_machine):
    """Freeze time at a Monday morning in Metepec unless a test moves it."""
    time_machine.move_to(local(2026, 12, 7, 10, 0), tick=False)
    return time_machine


def make_staff(username, group_name, department_name=None, **extra):
    user = User.objects.create_user(
        username=username, password="secreto-123", is_staff=True, email=f"{username}@metepec.example", **extra
    )
    user.groups.add(Group.objects.get(name=group_name))
    department = Department.objects.get(name=department_name) if department_name else None
    StaffProfile.objects.create(user=user, department=department)
    return User.objects.get(pk=user.pk)  # fresh instance: no stale permission cache


@pytest.fixture
def operator(db):
    """Olga answers *7311 calls."""
    return make_staff("olga", OPERATOR_GROUP, first_name="Olga", last_name="Operadora")


@pytest.fixture
def obras_staff(db):
    """Óscar works for the Dirección de Obras Públicas (potholes)."""
    return make_staff("oscar", DEPARTMENT_GROUP, "Dirección de Obras Públicas", first_name="Óscar")


@pytest.fixture
def opdapas_staff(db):
    """Paula works for OPDAPAS Metepec (water)."""
    return make_staff("paula", DEPARTMENT_GROUP, "OPDAPAS Metepec", first_name="Paula")


@pytest.fixture
def supervisor(db):
    """Sofía supervises for the Gerencia de la Ciudad."""
    return make_staff("sofia", SUPERVISOR_GROUP, first_name="Sofía", last_name="Supervisora")


@pytest.fixture
def bacheo(db):
    return Service.objects.get(code="bacheo")


@pytest.fixture
def fuga_agua(db):
    return Service.objects.get(code="fuga-agua")


@pytest.fixture
def make_ticket(db):
    """Create a ticket through the lifecycle, as a resident on the web would."""
    from tickets import lifecycle
    from tickets.models import Channel, Colonia

    def create(service="bacheo", **kwargs):
        if isinstance(service, str):
            service = Service.objects.get(code=service)
        kwargs.setdefault("description", "Bache profundo frente a la escuela.")
        kwargs.setdefault("channel", Channel.WEB)
        kwargs.setdefault("address", "Av. Tecnológico 100")
        kwargs.setdefault("colonia", Colonia.objects.get(name="Coaxustenco"))
        return lifecycle.ticket_create(service=service, **kwargs)

    return create


@pytest.fixture
def own_redis(tmp_path, settings):
    """A Redis of this test's own as the portal's cache, which the test may stop and start."""
    from metepec7311.testing.redis_server import RedisServer

    require_service("redis", RedisServer.binary, "install redis-server (apt-get install redis-server)")
    server = RedisServer(tmp_path).start()
    settings.REDIS_URL = server.url
    settings.CACHES = {
        **django_settings.CACHES,
        "default": {"BACKEND": "metepec7311.cache.RedisCache", "LOCATION": server.url, "KEY_PREFIX": "fault"},
    }
    yield server
    server.stop()
