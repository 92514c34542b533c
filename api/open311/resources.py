"""What Open311 publishes, as plain Python in the spec's element order.

Only public facts: never the reporter's name, phone or e-mail, never internal notes, and
the point rounded as in the open data. Service codes are the catalogue's codes; request ids
are folios.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Max, OuterRef, Prefetch, Subquery

from api.open311.formats import w3c
from tickets import geo
from tickets.models import Service, ServiceAttribute, Status, Ticket, TicketEvent, TicketPhoto
from tickets.models.status import open311_status
from tickets.timeline import PUBLIC_KINDS, entry, public_timeline

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DATATYPE_DESCRIPTIONS = {
    ServiceAttribute.DataType.NUMBER: "Número entero de 0 a 100,000.",
    ServiceAttribute.DataType.DATETIME: "Fecha y hora W3C, p. ej. 2026-11-27T10:00:00-06:00.",
    ServiceAttribute.DataType.STRING: "Texto de hasta 250 caracteres.",
    ServiceAttribute.DataType.TEXT: "Texto de hasta 1,000 caracteres.",
    ServiceAttribute.DataType.SINGLE: "Una de las claves de «values».",
    ServiceAttribute.DataType.MULTI: "Una o varias claves de «values» (attribute[CODE][]).",
}
# mySociety's extended statuses (FixMyStreet), for servicerequestupdates.
FMS_STATUS = {
    Status.NUEVO: "OPEN",
    Status.ASIGNADO: "ACTION_SCHEDULED",
    Status.EN_PROCESO: "IN_PROGRESS",
    Status.EN_ESPERA: "INVESTIGATING",
    Status.RESUELTO: "FIXED",
    Status.NO_PROCEDE: "NO_FURTHER_ACTION",
    Status.DUPLICADO: "DUPLICATE",
}
STATUS_BY_LABEL = {status.label: status for status in Status}
# The public changes FixMyStreet pulls as updates (the report itself is not an update).
UPDATE_KINDS = tuple(kind for kind in PUBLIC_KINDS if kind != TicketEvent.Kind.CREATED)


def reportable_services():
    return (
        Service.objects.reportable_by_residents()
        .select_related("department")
        .prefetch_related("attributes")
        .order_by("group", "name")
    )


def changeset():
    """When the catalogue last changed (services or their questions), W3C."""
    newest = [
        Service.objects.aggregate(at=Max("updated_at"))["at"],
        ServiceAttribute.objects.aggregate(at=Max("updated_at"))["at"],
    ]
    newest = [moment for moment in newest if moment]
    return w3c(max(newest)) if newest else "2026-01-01T00:00:00-06:00"


def discovery(base_url):
    stamp = changeset()
    formats = ["text/xml", "application/json"]
    endpoints = [
        (base_url, "production"),
        (settings.OPEN311_TEST_URL or base_url, "test"),
    ]
    return {
        "changeset": stamp,
        "contact": settings.OPEN311_CONTACT,
        "key_service": "Las claves para enviar reportes (POST) las da la Gerencia de la Ciudad: escriba al "
        "contacto indicando el nombre de su sistema. Las consultas (GET) no necesitan clave.",
        "endpoints": [
            {"specification": SPECIFICATION, "url": url, "changeset": stamp, "type": kind, "formats": formats}
            for url, kind in endpoints
        ],
    }


def service(item):
    attributes = list(item.attributes.all())
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": item.description,
        "metadata": bool(attributes),
        "type": "realtime",
        "keywords": ", ".join(k for k in (item.open311_group, item.department.slug) if k),
        "group": item.group,
    }


def service_definition(item):
    attributes = []
    for order, attribute in enumerate(item.attributes.all(), start=1):
        values = [{"key": c["key"], "name": c["name"]} for c in attribute.choices] if attribute.choices else []
        attributes.append(
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": DATATYPE_DESCRIPTIONS.get(attribute.datatype),
                "order": order,
                "description": attribute.question,
                "values": values,
            }
        )
    return {"service_code": item.code, "attributes": attributes}


def requests_queryset(*, extensions=False):
    """Tickets with what one row of GET requests needs, in a fixed number of queries."""
    last_status_note = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=TicketEvent.Kind.STATUS, is_public=True)
        .order_by("-created_at", "-id")
        .values("note")[:1]
    )
    first_photo = TicketPhoto.objects.filter(ticket=OuterRef("pk"), is_public=True).order_by("id").values("image")[:1]
    queryset = (
        Ticket.objects.select_related("service", "department", "colonia", "parent")
        .annotate(status_notes=Subquery(last_status_note), first_photo=Subquery(first_photo))
        .order_by("-created_at", "-id")
    )
    if extensions:
        queryset = queryset.select_related("locality").prefetch_related(
            Prefetch(
                "events",
                queryset=TicketEvent.objects.filter(is_public=True, kind__in=PUBLIC_KINDS).order_by("created_at", "id"),
                to_attr="public_events",
            ),
            Prefetch("photos", queryset=TicketPhoto.objects.filter(is_public=True), to_attr="public_photos"),
        )
    return queryset


def _number(value):
    return None if value is None else float(geo.public_coordinate(value))


def _media(absolute, name):
    return absolute(default_storage.url(name)) if name else None


def request_item(ticket, *, fmt, absolute, extensions=False):
    """One `request` of GET requests. `absolute` turns a path into an absolute URL."""
    lat, lon = geo.public_coordinate(ticket.latitude), geo.public_coordinate(ticket.longitude)
    place = ", ".join(part for part in (ticket.address, ticket.colonia.name if ticket.colonia_id else "") if part)
    item = {
        "service_request_id": ticket.folio,
        "status": open311_status(ticket.status),
        "status_notes": ticket.status_notes or None,
        "service_name": ticket.service.name,
        "service_code": ticket.service.code,
        "description": ticket.description,
        "agency_responsible": ticket.department.name,
        "service_notice": None,
        "requested_datetime": w3c(ticket.created_at),
        "updated_datetime": w3c(ticket.updated_at),
        "expected_datetime": w3c(ticket.due_at) if ticket.is_open else None,
        "address": place or None,
        "address_id": None,
        "zipcode": ticket.colonia.postal_code if ticket.colonia_id else None,
        # JSON numbers, as the spec's examples; XML writes the same rounded digits.
        "lat": (float(lat) if fmt == "json" else lat) if lat is not None else None,
        "long": (float(lon) if fmt == "json" else lon) if lon is not None else None,
        "media_url": _media(absolute, ticket.first_photo),
    }
    if extensions:
        item["extended_attributes"] = {
            "channel": ticket.channel,
            "detailed_status": ticket.status,
            "public_bucket": ticket.public_bucket.value,
            "duplicate": ticket.status == Status.DUPLICADO,
            "parent_service_request_id": ticket.parent.folio if ticket.parent_id else None,
            "sla_due_datetime": w3c(ticket.due_at),
            "sla_state": ticket.sla_state_at().value,
            "affected_residents": ticket.affected_count,
            "colonia": ticket.colonia.name if ticket.colonia_id else None,
            "locality": ticket.locality.name if ticket.locality_id else None,
            "tracking_url": absolute(f"/seguimiento/{ticket.folio}/"),
            "photos": [_media(absolute, photo.image.name) for photo in ticket.public_photos],
        }
        item["notes"] = [
            {"datetime": w3c(e.at), "type": e.kind, "summary": e.title, "description": e.text or None}
            for e in public_timeline(ticket, events=ticket.public_events)
        ]
    return item


def updates_queryset():
    """Public changes, with the status the ticket had at each one (for notes, the last
    status change before them)."""
    status_then = (
        TicketEvent.objects.filter(
            ticket=OuterRef("ticket"), kind=TicketEvent.Kind.STATUS, created_at__lte=OuterRef("created_at")
        )
        .order_by("-created_at", "-id")
        .values("new_value")[:1]
    )
    photo_then = (
        TicketPhoto.objects.filter(ticket=OuterRef("ticket"), is_public=True, created_at=OuterRef("created_at"))
        .order_by("id")
        .values("image")[:1]
    )
    return (
        TicketEvent.objects.filter(is_public=True, kind__in=UPDATE_KINDS)
        .select_related("ticket__department")
        .annotate(status_then=Subquery(status_then), photo_then=Subquery(photo_then))
        .order_by("created_at", "id")
    )


def update_item(event, *, absolute):
    status = STATUS_BY_LABEL.get(event.new_value if event.kind == TicketEvent.Kind.STATUS else event.status_then)
    status = status or Status.NUEVO
    told = entry(event, event.ticket.department.name)
    return {
        "update_id": str(event.pk),
        "service_request_id": event.ticket.folio,
        "status": FMS_STATUS[status],
        "updated_datetime": w3c(event.created_at),
        "description": told.text or told.title,
        "media_url": _media(absolute, event.photo_then if event.kind == TicketEvent.Kind.PHOTO else None),
        "external_status_code": status.value,
    }
