"""Open311 GeoReport v2: discovery, service list, service definitions and the error document,
in both formats, to the letter of the spec (the points DESIGN.md lists)."""

import pytest

from api.tests.support import as_dict, xml
from tickets.models import Service, ServiceAttribute

BASE = "/open311/v2"


def test_discovery_lists_a_production_and_a_test_endpoint_in_both_formats(client, db):
    data = client.get(f"{BASE}/discovery.json").json()
    assert isinstance(data, dict) and set(data) == {"changeset", "contact", "key_service", "endpoints"}
    assert {e["type"] for e in data["endpoints"]} == {"production", "test"}
    for endpoint in data["endpoints"]:
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    endpoints = root.find("endpoints").findall("endpoint")
    assert [e.find("type").text for e in endpoints] == ["production", "test"]
    assert [f.text for f in endpoints[0].find("formats").findall("format")] == ["text/xml", "application/json"]


def test_the_changeset_moves_when_the_catalogue_changes(client, db, time_machine):
    before = client.get(f"{BASE}/discovery.json").json()["changeset"]
    time_machine.move_to("2030-01-01T10:00:00-06:00")
    service = Service.objects.get(code="bacheo")
    service.description = "Nueva descripción"
    service.save()
    after = client.get(f"{BASE}/discovery.json").json()["changeset"]
    assert after == "2030-01-01T10:00:00-06:00" and after > before


def test_services_are_the_27_reported_online_with_string_codes_and_boolean_metadata(client, db):
    services = client.get(f"{BASE}/services.json").json()
    assert isinstance(services, list) and len(services) == 27
    codes = {s["service_code"] for s in services}
    assert "bacheo" in codes and not codes & set(
        Service.objects.filter(is_emergency=True).values_list("code", flat=True)
    )
    pothole = next(s for s in services if s["service_code"] == "bacheo")
    assert pothole == {
        "service_code": "bacheo",
        "service_name": "Atención de bacheo",
        "description": Service.objects.get(code="bacheo").description,
        "metadata": True,
        "type": "realtime",
        "keywords": "streets, direccion-de-obras-publicas",
        "group": "Vialidades",
    }
    assert all(s["metadata"] is False for s in services if s["service_code"] not in ("bacheo", "alumbrado"))
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 27
    first = as_dict(root.find("service"))
    assert list(first) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert first["metadata"] in ("true", "false")


def test_a_service_definition_gives_the_extra_questions_with_the_specs_datatypes(client, db):
    service = Service.objects.get(code="alumbrado")
    ServiceAttribute.objects.create(
        service=service, code="desde", question="¿Desde cuándo?", datatype="datetime", required=True, order=5
    )
    data = client.get(f"{BASE}/services/alumbrado.json").json()
    assert isinstance(data, dict) and data["service_code"] == "alumbrado"
    attributes = data["attributes"]
    assert [a["order"] for a in attributes] == [1, 2]  # positive and unique, in the catalogue's order
    assert {a["datatype"] for a in attributes} <= {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    when = attributes[1]
    assert when["code"] == "desde" and when["datatype"] == "datetime"
    assert when["variable"] is True and when["required"] is True and when["values"] == []
    root = xml(client.get(f"{BASE}/services/bacheo.xml"))
    assert root.tag == "service_definition"
    attribute = root.find("attributes").find("attribute")
    assert attribute.find("variable").text == "true" and attribute.find("required").text == "false"
    keys = [v.find("key").text for v in attribute.find("values").findall("value")]
    assert keys == ["chico", "mediano", "grande"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["no-existe", "emergencia-policia", "informativo"])
def test_an_unknown_emergency_or_phone_only_service_is_a_404_in_the_specs_error_format(client, db, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json() == [{"code": 404, "description": response.json()[0]["description"]}]
    else:
        error = xml(response).find("error")
        assert error.find("code").text == "404" and error.find("description").text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_foreign_jurisdiction_is_404_and_ours_or_empty_is_accepted(client, db, fmt):
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "sfgov.org"}).status_code == 404
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "metepec.gob.mx"}).status_code == 200
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_resources_and_methods_get_the_specs_errors(client, db, fmt):
    assert client.get(f"{BASE}/servicios.{fmt}").status_code == 404
    assert client.get(f"{BASE}/services.html").status_code == 404
    assert client.delete(f"{BASE}/services.{fmt}").status_code == 400
    assert client.post(f"{BASE}/services.{fmt}").status_code == 400
    response = client.get(f"{BASE}/requests.{fmt}", {"start_date": "ayer"})
    assert response.status_code == 400


def test_catalogue_resources_are_cacheable(client, db):
    for path in ("discovery.xml", "services.json", "services/bacheo.json"):
        assert client.get(f"{BASE}/{path}")["Cache-Control"] == "public, max-age=300"
