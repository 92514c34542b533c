"""Independent Open311 clients against the live test server, as they run in the wild:

- `georeport` (PyPI), a third-party GeoReport v2 client, for every read in JSON and in XML;
- FixMyStreet's way of talking (mySociety's Open311.pm, read for this test): an urlencoded
  POST to requests.xml with `attribute[NAME]` keys, first and last name, `api_key` in the
  body, the answer read as XML; then its pull of servicerequestupdates.xml with a UTC window
  and an empty api_key.
"""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests
from georeport import GeoReport

from api.models import ApiClient
from tickets import lifecycle
from tickets.models import Ticket


@pytest.fixture
def endpoint(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def reported(transactional_db, supervisor):
    _, key = ApiClient.objects.create_key(name="FixMyStreet")
    return key


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_reads_every_resource(endpoint, reported, make_ticket, supervisor, output_format):
    ticket = make_ticket("bacheo", latitude="19.2545", longitude="-99.6053")
    lifecycle.ticket_assign(ticket=ticket, actor=supervisor, assignee=supervisor)
    client = GeoReport(endpoint, jurisdiction="metepec.gob.mx", output_format=output_format)

    services = client.get_service_list()
    assert len(services) == 27 and any(s["service_code"] == "bacheo" for s in services)
    definition = client.get_service_definition("bacheo")
    attribute = definition["attributes"][0] if output_format == "json" else definition["attributes"]["attribute"]
    assert attribute["code"] == "tamano"

    found = client.get_service_requests(service_code="bacheo", status="open")
    found = found if isinstance(found, list) else [found]  # xmltodict gives a dict for one element
    assert [r["service_request_id"] for r in found] == [ticket.folio]
    one = client.get_service_request(ticket.folio)
    assert one["service_request_id"] == ticket.folio and one["status"] == "open"
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if output_format == "json":
        assert client.get_service_requests(start_date=start, status="closed") == []
    else:  # georeport's XML reader fails on an empty <service_requests/> (xmltodict gives None)
        assert client.get_service_requests(start_date=start, status="open")["service_request_id"] == ticket.folio


def test_a_fixmystreet_style_post_and_its_updates(endpoint, reported, supervisor):
    sent = requests.post(
        f"{endpoint}/requests.xml",
        data={
            "api_key": reported,
            "service_code": "alumbrado",
            "lat": "19.254500",
            "long": "-99.605300",
            "description": "title: Luminaria apagada\n\ndetail: Lleva tres noches\n\nSubmitted via FixMyStreet\n",
            "first_name": "Rosalinda",
            "last_name": "Quintanar",
            "email": "rosalinda@privado.mx",
            "attribute[luminarias]": "2",
            "attribute[fixmystreet_id]": "",
        },
        timeout=10,
    )
    assert sent.status_code == 200, sent.text
    folio = ElementTree.fromstring(sent.content).find("request").find("service_request_id").text
    ticket = Ticket.objects.get(folio=folio)
    assert ticket.attributes == {"luminarias": 2} and ticket.reporter_name == "Rosalinda Quintanar"

    lifecycle.ticket_resolve(ticket=ticket, actor=supervisor, public_note="Se cambió la lámpara.")
    now = datetime.now(UTC)
    window = {
        "api_key": "",
        "jurisdiction_id": "metepec.gob.mx",
        "start_date": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (now + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    pulled = requests.get(f"{endpoint}/servicerequestupdates.xml", params=window, timeout=10)
    updates = ElementTree.fromstring(pulled.content).findall("request_update")
    fixed = [u for u in updates if u.find("service_request_id").text == folio]
    assert [u.find("status").text for u in fixed] == ["FIXED"]
    assert fixed[0].find("description").text == "Se cambió la lámpara."
    assert fixed[0].find("update_id").text and fixed[0].find("updated_datetime").text.endswith("-06:00")
