"""The OpenAPI document and the browsable docs, served from our own static files."""

import re

from django.contrib.staticfiles import finders


def test_the_schema_is_openapi_3_with_descriptions_and_examples(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    schema = response.json()
    assert schema["openapi"].startswith("3.") and schema["info"]["title"] == "API de Metepec *7311"
    report = schema["paths"]["/api/v1/reports/"]["post"]
    assert report["summary"] and "Idempotency-Key" in report["description"]
    assert report["requestBody"]["content"]["application/json"]["examples"]
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code", "errors"]
    assert "tokenDePersonal" in schema["components"]["securitySchemes"]


def test_swagger_ui_loads_nothing_from_other_sites(client, db):
    for path in ("/api/docs/",):
        html = client.get(path).content.decode()
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls and all(url.startswith("/") for url in urls), urls
        for url in urls:
            if url.startswith("/static/"):
                assert finders.find(url.removeprefix("/static/")), url


def test_pages_carry_the_content_security_policy_and_data_answers_do_not_need_it(client, db):
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    assert "script-src 'self'" in docs and "style-src 'self' 'unsafe-inline'" in docs
    assert "Content-Security-Policy" in client.get("/reportar/")
    assert "Content-Security-Policy" not in client.get("/api/v1/services/")
    assert "Content-Security-Policy" not in client.get("/open311/v2/services.json")
