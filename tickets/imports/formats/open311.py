"""An Open311 GeoReport v2 `requests.json` or `requests.xml` from another city's system.

Each request gives its `service_request_id` (the legacy number, source "open311" unless the
import names another), `service_code` (ours when it is one of our codes, otherwise the
`service_name` is matched like any subject), `status` (`open` → nuevo: nobody here has
reviewed it yet; `closed` → resuelto, closed at `updated_datetime` as far as the document
tells), dates, address, `zipcode` and the point. `media_url` is not fetched: no network call
at import time.
"""

import json

import xmltodict

from tickets.imports.formats import tabular
from tickets.imports.records import Reader, Row
from tickets.models import Status, TicketEvent

STATUSES = {"open": Status.NUEVO, "closed": Status.RESUELTO}


class Open311Reader(Reader):
    format = "open311"
    default_source = "open311"

    def __init__(self, name, data):
        super().__init__(name, data)
        self.requests = parse(data)
        self.total = len(self.requests)

    def __iter__(self):
        for position, request in enumerate(self.requests, start=1):
            if not isinstance(request, dict):
                continue
            status = str(request.get("status") or "").strip().lower()
            closed = request.get("updated_datetime") if status == "closed" else None
            yield Row(
                file=self.name,
                sheet="",
                row=position,
                number=request.get("service_request_id"),
                subject=str(request.get("service_name") or ""),
                service_code=str(request.get("service_code") or ""),
                status=STATUSES.get(status, status),
                created=request.get("requested_datetime"),
                resolved=closed,
                closed=closed,
                latitude=request.get("lat"),
                longitude=request.get("long"),
                description=str(request.get("description") or ""),
                address=str(request.get("address") or ""),
                postal_code=str(request.get("zipcode") or ""),
                via=TicketEvent.Via.API,
            )


def parse(data):
    """The list of requests of a JSON or XML document."""
    text = tabular.decode(data).strip()
    if text.startswith("<"):
        # xmltodict leaves entities unexpanded by default (no "billion laughs").
        document = xmltodict.parse(text, force_list=("request",))
        root = document.get("service_requests") or document.get("requests") or {}
        return (root or {}).get("request", [])
    document = json.loads(text)
    if isinstance(document, dict):
        document = document.get("service_requests") or document.get("requests") or []
    return document if isinstance(document, list) else []


def looks_like(data):
    head = tabular.decode(data[:4096]).lstrip()
    return (head.startswith("<") and "service_request" in head) or '"service_request_id"' in head
