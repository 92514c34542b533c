"""Property-based tests of Open311 (it has no OpenAPI document for schemathesis to read):
whatever a client sends — odd dates, NUL bytes, huge numbers, unknown attributes — the
answer is one of the spec's statuses, in the asked format, and errors are the spec's
document. Bounded by OPEN311_EXAMPLES (default 40 per test)."""

import json
import os
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.models import ApiClient

EXAMPLES = int(os.environ.get("OPEN311_EXAMPLES", "40"))
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {200, 400, 403, 404, 429}
text = st.text(st.characters(codec="utf-8"), max_size=40)
values = st.one_of(
    text,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", "open", "closed", "open,closed", "bacheo", "7311-2026-000001", "2026-12-01", "true"]),
)
GET_PARAMS = ["service_request_id", "service_code", "start_date", "end_date", "status", "page", "page_size",
              "extensions", "jurisdiction_id", "api_key"]  # fmt: skip
RESOURCES = ["discovery", "services", "services/bacheo", "requests", "requests/7311-2026-000001",
             "tokens/x", "servicerequestupdates"]  # fmt: skip


def check(response, fmt):
    assert response.status_code in ALLOWED, (response.status_code, response.content[:300])
    if fmt == "json":
        body = json.loads(response.content)
        if response.status_code != 200:
            assert isinstance(body, list) and {"code", "description"} <= set(body[0])
    else:
        root = ElementTree.fromstring(response.content)
        if response.status_code != 200:
            assert root.tag == "errors" and root.find("error").find("description").text


@BOUNDED
@given(
    resource=st.sampled_from(RESOURCES),
    fmt=st.sampled_from(["json", "xml"]),
    params=st.dictionaries(st.sampled_from(GET_PARAMS), values, max_size=6),
)
def test_any_get_gets_a_spec_answer(client, db, resource, fmt, params):
    check(client.get(f"/open311/v2/{resource}.{fmt}", params), fmt)


@BOUNDED
@given(
    fmt=st.sampled_from(["json", "xml"]),
    body=st.dictionaries(
        st.one_of(
            st.sampled_from(
                [
                    "service_code",
                    "lat",
                    "long",
                    "address_string",
                    "description",
                    "email",
                    "phone",
                    "first_name",
                    "last_name",
                    "media_url",
                    "jurisdiction_id",
                ]
            ),  # fmt: skip
            text.map(lambda name: f"attribute[{name}]"),
            st.just("attribute[tamano][]"),
        ),
        values,
        max_size=8,
    ),
    with_key=st.booleans(),
)
def test_any_post_gets_a_spec_answer(client, db, fmt, body, with_key):
    if with_key:
        _, key = ApiClient.objects.create_key(name="Fuzz", rate="100000/m")
        body = {**body, "api_key": key}
    check(client.post(f"/open311/v2/requests.{fmt}", body), fmt)
