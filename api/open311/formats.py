"""Open311's two formats and its error document, to the letter of GeoReport v2.

A resource is built once as plain Python (lists of dicts, in the spec's element order) and
written either way: XML with the spec's element names, or JSON as the spec's mechanical
mapping of that XML (the root wrapper dropped, repeated children as an array — a top-level
array even for one request —, empty elements as null). Booleans are `true`/`false`, ids
strings, dates W3C with their offset.
"""

import json
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element name of each list's children (XML needs one; JSON uses arrays).
CHILD = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "photos": "photo",
    "extended_attributes": None,
}


def w3c(moment):
    """2026-11-27T10:00:00-06:00: Metepec's time with its offset, whole seconds."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


# Characters XML 1.0 cannot carry at all (control characters, lone surrogates): a resident's
# text or a client's echoed parameter containing one would make the whole document unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value):
    if value is None:
        return None
    if value is True:
        return "true"
    if value is False:
        return "false"
    return NOT_XML.sub("\ufffd", str(value))


def _fill(element, value):
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(SubElement(element, name), inner)
    elif isinstance(value, list):
        child = CHILD[element.tag]
        for item in value:
            _fill(SubElement(element, child), item)
    else:
        text = _text(value)
        if text:
            element.text = text


def to_xml(root, value):
    element = Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8", xml_declaration=False)


def to_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Rendered:
    """A document already written (cached answers), handed to the response as is."""

    content: bytes


def render(fmt, root, value):
    return to_xml(root, value) if fmt == "xml" else to_json(value)


def respond(fmt, root, value, *, status=200, cache_seconds=None, headers=None):
    """`value`: a list for collections (JSON array), a dict for single documents, or a
    Rendered document."""
    content = value.content if isinstance(value, Rendered) else render(fmt, root, value)
    response = HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])
    if cache_seconds:
        response["Cache-Control"] = f"public, max-age={cache_seconds}"
    else:
        response["Cache-Control"] = "no-store"
    for name, header in (headers or {}).items():
        response[name] = header
    return response


class Open311Error(Exception):
    """An error answered in the spec's format: 404 unknown resource, 403 API key, 400 the rest
    (429 for a client past its rate, with Retry-After)."""

    def __init__(self, status, description, headers=None):
        super().__init__(description)
        self.status, self.description, self.headers = status, description, headers or {}


def error_response(fmt, status, descriptions, headers=None):
    if isinstance(descriptions, str):
        descriptions = [descriptions]
    # The code is the HTTP status, a number in JSON as in the spec's own example.
    errors = [{"code": status, "description": description} for description in descriptions]
    return respond(fmt if fmt in FORMATS else "xml", "errors", errors, status=status, headers=headers)
