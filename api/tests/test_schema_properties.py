"""Property-based tests of the REST API from its own OpenAPI schema (schemathesis): over
every operation, anonymous and with a staff token, generated requests never get a 500 and
every answer conforms to the schema (status, content type, body, headers).

Bounded (SCHEMATHESIS_EXAMPLES per operation, default 12) so CI stays fast; run with a
larger number to dig deeper: SCHEMATHESIS_EXAMPLES=500 pytest api/tests/test_schema_properties.py
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from api.models import StaffToken
from conftest import make_staff
from stats import snapshot
from tickets import lifecycle
from tickets.models import Colonia, Service
from tickets.permissions import SUPERVISOR_GROUP

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


def _schema():
    """The schema /api/schema/ serves, generated in-process (no database needed)."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _schema()


@pytest.fixture(autouse=True)
def _world(db, settings):
    settings.API_READ_RATE = "100000/m"  # the read limit is tested elsewhere; here it would only hide cases
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # Something to find: a ticket that requests for folios and lists can reach.
    service = Service.objects.get(code="bacheo")
    colonia = Colonia.objects.get(name="Coaxustenco")
    lifecycle.ticket_create(service=service, description="Bache", channel="web", colonia=colonia)
    snapshot.recompute()  # the public numbers exist (before the first one, a documented 503)
    # Requests run through the WSGI application inside the test's transaction: Django must not
    # close the connection at the end of each one (its own test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)


@schema.parametrize()
@BOUNDED
def test_anonymous_requests_never_fail_and_conform(case):
    response = case.call()
    case.validate_response(response, checks=CHECKS)


@pytest.fixture
def staff_headers(db):
    user = make_staff("sofia-api", SUPERVISOR_GROUP, first_name="Sofía")
    _, key = StaffToken.objects.create_key(user=user, name="Pruebas")
    return {"Authorization": f"Token {key}"}


@schema.parametrize()
@BOUNDED
def test_staff_requests_never_fail_and_conform(case, staff_headers):
    response = case.call(headers=staff_headers)
    case.validate_response(response, checks=CHECKS)
