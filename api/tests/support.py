"""Helpers of the API tests: a reporter's planted contact data and Open311's XML."""

from xml.etree import ElementTree

# Planted in every ticket a privacy test creates; must never appear in a public answer.
REPORTER = {
    "reporter_name": "Rosalinda Quintanar",
    "reporter_phone": "7229998877",
    "reporter_email": "rosalinda@privado.mx",
}
REPORTER_TRACES = ["Rosalinda", "Quintanar", "7229998877", "722 999 8877", "rosalinda@privado.mx", "privado.mx"]


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def as_dict(element):
    """An XML element's children as {tag: text or nested dict} (lists are not folded)."""
    return {child.tag: (as_dict(child) if len(child) else (child.text or "")) for child in element}
