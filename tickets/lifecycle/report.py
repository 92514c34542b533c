"""A new report: the rules it must meet, whatever the door, and its creation.

The web form, the phone intake, Open311 and the REST API all call `check_report()` (through
`ticket_create()`), so a resident, an operator and an app get the same refusals with the
same Spanish messages.
"""

import inspect
import re
from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from metepec7311 import cache_batch
from stats import rollups
from tickets import geo, messaging, outbox, permissions, routing
from tickets.folio import folio_to_insert, reserve_ticket_id
from tickets.lifecycle import incoming_photos, together
from tickets.lifecycle.common import (
    CHANNEL_VIA,
    Kind,
    Problems,
    Refused,
    Via,
    attach_photos,
    event,
    locked,
    new_event,
    refreshed,
    require_work,
    stored_photos,
)
from tickets.models import Channel, Notification, Priority, ServiceAttribute, Status, Ticket
from tickets.models.status import OPEN_STATUSES
from tickets.photos import MAX_PHOTOS  # per report, and per later addition
from tickets.sla import due_dates, get_calendar

DESCRIPTION_LIMIT = 4000
ADDRESS_LIMIT = 300
NAME_LIMIT = 150
# A ticket gathers photos over its life (reporter, crews before and after): bounded so one
# ticket page stays light.
MAX_PHOTOS_PER_TICKET = 12
# Residents' own doors: emergencies and services the city does not take online are refused.
ONLINE_CHANNELS = (Channel.WEB, Channel.APP, Channel.API)
DataType = ServiceAttribute.DataType


def normalize_phone(raw):
    """Ten-digit Mexican number from whatever was typed ("+52 (722) 123-4567" → 7221234567)."""
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 12 and digits.startswith("52"):
        digits = digits[2:]
    elif len(digits) == 13 and digits.startswith("521"):
        digits = digits[3:]
    return digits


def check_report(
    *,
    service,
    channel,
    description,
    address="",
    colonia=None,
    latitude=None,
    longitude=None,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    attributes=None,
    photos=0,
    actor=None,
):
    """Every rule a new report must meet. Returns the cleaned values; raises Refused with
    every problem found, by field (None for the whole report).

    `photos` is how many photos come with it (already checked one by one by tickets/photos.py).
    """
    problems = Problems()
    imported = channel == Channel.IMPORTADO
    online = channel in ONLINE_CHANNELS
    description = (description or "").strip()
    address = (address or "").strip()
    reporter_name = (reporter_name or "").strip()
    phone = normalize_phone(reporter_phone)
    email = (reporter_email or "").strip().lower()

    if not service.is_active and not imported:
        problems.add("service", f"El servicio «{service.name}» ya no se recibe.")
    if online and (service.is_emergency or not service.citizen_reportable):
        problems.add(
            "service",
            "Este servicio no se reporta en línea. En una emergencia llame al 911; para otros casos llame al *7311.",
        )
    if channel == Channel.TELEFONO and actor is not None and not permissions.can_take_calls(actor):
        raise Refused("No tiene permiso para registrar reportes telefónicos.", kind="forbidden")

    # PostgreSQL cannot store a NUL character in text; no person types one.
    for field, value in (("description", description), ("address", address), ("reporter_name", reporter_name)):
        if "\x00" in value:
            problems.add(field, "El texto contiene caracteres no válidos; escríbalo de nuevo.")
    if not description:
        problems.add("description", "Describa el problema.")
    elif len(description) > DESCRIPTION_LIMIT:
        problems.add("description", f"La descripción puede tener hasta 4,000 caracteres (tiene {len(description):,}).")
    if len(address) > ADDRESS_LIMIT:
        problems.add("address", f"La dirección puede tener hasta {ADDRESS_LIMIT} caracteres.")

    locality_id = None
    if (latitude is None) != (longitude is None):
        problems.add("location", "El punto está incompleto: indique latitud y longitud, o ninguna.")
        latitude = longitude = None
    elif latitude is not None:
        latitude, longitude = geo.quantize(latitude), geo.quantize(longitude)
        if not geo.inside_municipality(latitude, longitude):
            problems.add(
                "location",
                "El punto marcado está fuera del municipio de Metepec. Marque un lugar dentro del municipio "
                "o quite el punto y escriba la dirección.",
            )
        else:
            locality_id = geo.locality_id_for(latitude, longitude)
    # Residents' own doors must say where; an operator may log a call about no place at all.
    if online and colonia is None and not address and latitude is None and "location" not in problems:
        problems.add("location", "Indique dónde está el problema: la colonia, la dirección o un punto en el mapa.")

    if len(reporter_name) > NAME_LIMIT:
        problems.add("reporter_name", f"El nombre puede tener hasta {NAME_LIMIT} caracteres.")
    if reporter_phone and len(phone) != 10:
        problems.add("reporter_phone", "Escriba su teléfono a 10 dígitos, por ejemplo 722 123 4567.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add("reporter_email", "Escriba un correo válido, por ejemplo nombre@correo.com.")
    if service.contact_required and not (phone or email) and "reporter_phone" not in problems:
        problems.add("reporter_phone", "Este servicio requiere un teléfono o correo para darle seguimiento.")

    if photos > MAX_PHOTOS:
        problems.add("photos", f"Puede agregar hasta {MAX_PHOTOS} fotos en total.")
    elif service.photo_required and photos == 0 and online:  # a caller cannot send one
        problems.add("photos", "Este servicio necesita al menos una foto.")

    # Callers often cannot answer the extra questions: the phone intake does not require them.
    answers = _check_attributes(service, attributes, problems, enforce_required=online)
    problems.raise_any()
    return {
        "description": description,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "locality_id": locality_id,
        "reporter_name": reporter_name,
        "reporter_phone": phone,
        "reporter_email": email,
        "attributes": answers,
    }


class Checked(NamedTuple):
    """A check_report() a caller made before creating the ticket (the web form makes one to
    show every problem at once), with the arguments it was made for. ticket_create() takes
    its values when its own arguments are the same, rather than checking them a second time;
    with any difference it checks again."""

    arguments: dict
    values: dict


def checked(**arguments):
    """check_report(**arguments), kept with its arguments for ticket_create(checked=…). The
    arguments are kept with check_report's defaults filled in, as ticket_create() passes
    every one: a caller need not name the ones it leaves at their default."""
    arguments = {**_CHECK_DEFAULTS, **arguments}
    return Checked(arguments, check_report(**arguments))


_CHECK_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(check_report).parameters.items()
    if parameter.default is not parameter.empty
}


def _check_attributes(service, answers, problems, *, enforce_required):
    """The service's extra questions (Open311 attributes), answered with the right types."""
    answers = dict(answers or {})
    cleaned = {}
    for attribute in service.attributes.all():
        field = f"attribute_{attribute.code}"
        value = answers.pop(attribute.code, None)
        if value in (None, "", []):
            if attribute.required and enforce_required:
                problems.add(field, f"Responda: «{attribute.question}».")
            continue
        try:
            cleaned[attribute.code] = _answer(attribute, value)
        except ValueError as error:
            problems.add(field, str(error))
    if answers:
        problems.add("attributes", f"Preguntas desconocidas para este servicio: {', '.join(sorted(answers))}.")
    return cleaned


def _answer(attribute, value):
    kind, question = attribute.datatype, attribute.question
    if kind == DataType.MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        keys = {choice["key"] for choice in attribute.choices}
        if any(str(v) not in keys for v in values):
            raise ValueError(f"Elija opciones válidas para «{question}».")
        return [str(v) for v in values]
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"«{question}» admite una sola respuesta.")
        value = value[0]
    if kind == DataType.SINGLE:
        if str(value) not in {choice["key"] for choice in attribute.choices}:
            raise ValueError(f"Elija una opción válida para «{question}».")
        return str(value)
    if kind == DataType.NUMBER:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(f"«{question}» debe ser un número entero.") from None
        if not 0 <= number <= 100_000:
            raise ValueError(f"«{question}» debe estar entre 0 y 100,000.")
        return number
    if kind == DataType.DATETIME:
        try:
            return datetime.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError(f"«{question}» debe ser una fecha y hora (AAAA-MM-DDTHH:MM).") from None
    limit = 1000 if kind == DataType.TEXT else 250
    text = str(value).strip()
    if len(text) > limit:
        raise ValueError(f"«{question}» admite hasta {limit:,} caracteres.")
    return text


def ticket_create(
    *,
    service,
    description,
    channel,
    address="",
    colonia=None,
    latitude=None,
    longitude=None,
    reporter_name="",
    reporter_phone="",
    reporter_email="",
    priority=Priority.NORMAL,
    attributes=None,
    photos=(),
    actor=None,
    actor_label=None,
    at=None,
    calendar=None,
    within=None,
    checked=None,
):
    """Register a report (with its photos) and start its SLA clock. Returns the saved ticket.

    `photos` are cleaned images (tickets/photos.py); `actor_label` names a door with no user,
    such as an Open311 client, in the trail; `within(ticket)` gives more rows (unsaved model
    instances: a submission receipt) to write with the ticket, in the same transaction;
    `checked`, the caller's own check of these same arguments (a Checked).
    """
    at = at or timezone.now()
    photos = list(photos)
    arguments = {
        "service": service,
        "channel": channel,
        "description": description,
        "address": address,
        "colonia": colonia,
        "latitude": latitude,
        "longitude": longitude,
        "reporter_name": reporter_name,
        "reporter_phone": reporter_phone,
        "reporter_email": reporter_email,
        "attributes": attributes,
        "photos": len(photos),
        "actor": actor,
    }
    values = checked.values if checked is not None and checked.arguments == arguments else check_report(**arguments)
    ticket = Ticket(
        service=service,
        department=service.department,
        channel=channel,
        priority=priority,
        colonia=colonia,
        created_at=at,
        **values,
    )
    if service.sla_hours and channel != Channel.IMPORTADO:
        ticket.due_at, ticket.due_soon_at = due_dates(at, service.sla_hours, calendar or get_calendar())
    # The supervisors' routing rules (tickets/routing.py): not on imported history.
    routed = routing.apply(ticket) if channel != Channel.IMPORTADO else None
    if routed and routed.assigned_by:
        ticket.status = Status.ASIGNADO
    via = CHANNEL_VIA[channel]
    # Photo files are written before the transaction: no lock is held while the disk (or a
    # bucket) is written, and they are removed again if the report is not saved. No savepoint
    # when a caller's transaction surrounds this one (submit_report's): a failure here fails
    # that whole transaction, which is what every caller wants, and two round trips fewer.
    # Photos only checked (a resident's, tickets/lifecycle/incoming_photos.py) are stored as received
    # and cleaned by a task after the commit; photos already cleaned are recorded now.
    received = [photo for photo in photos if getattr(photo, "needs_cleaning", False)]
    ready = [photo for photo in photos if not getattr(photo, "needs_cleaning", False)]
    with (
        stored_photos(ready, keep_going=True) as stored,
        stored_photos(received, keep_going=True, field=incoming_photos.FIELD) as stored_received,
        _transaction(one_statement=together.one_statement() and not photos and not routed),
    ):
        # The year's folio counter row stays locked from the moment a number is taken to the
        # commit, so concurrent reports queue there. On PostgreSQL the ticket and the rows that
        # come with every report (its first event, the caller's receipt, the confirmation, the
        # change to the public numbers) are one statement, whose ticket INSERT takes the folio
        # itself (tickets/lifecycle/together.py): only that statement and the commit run under
        # the lock, and a report that fails gives its number back, so folios stay gapless.
        # (Numbering under a provisional folio and renumbering was measured slower: the UPDATE
        # rewrote every index of the row.)
        lost = stored.lost + stored_received.lost
        created = new_event(
            ticket, Kind.CREATED, actor=actor, via=via, at=at, public=True, new=Status.NUEVO.label,
            actor_label=actor_label,
        )  # fmt: skip
        if routed or stored or stored_received or lost:
            # Rows written through the ORM before the ticket: they need its id, drawn from
            # the sequence on PostgreSQL (foreign keys are checked at commit). On SQLite
            # (no sequence, one writer at a time) the ticket itself is written first.
            ticket.pk = reserve_ticket_id()
            if ticket.pk is None:
                ticket.folio = folio_to_insert(timezone.localtime(at).year)
                ticket.save(force_insert=True)
            created.ticket = ticket
            created.save(force_insert=True)  # first in the trail
            created = None
            if routed:
                routing.record(ticket, routed, at=at)
            if stored:
                attach_photos(ticket, stored, actor=actor, via=via, at=at, public=True, actor_label=actor_label)
            if stored_received:
                incoming_photos.receive(ticket, stored_received, actor=actor, via=via, actor_label=actor_label, at=at)
            if lost:
                event(ticket, Kind.NOTE, actor=None, via=Via.SISTEMA, at=at, public=False, note=photos_lost_note(lost))
        confirmation = None
        if ticket.reporter_email and channel != Channel.IMPORTADO:  # whatever the door, phone included
            confirmation = outbox.promised(Notification.Kind.CONFIRMATION, ticket)
        elif ticket.reporter_phone and channel != Channel.IMPORTADO and messaging.enabled():
            # No e-mail but a phone: the folio by text message (tickets/messaging.py).
            confirmation = outbox.promised(Notification.Kind.CONFIRMATION, ticket, channel=Notification.Channel.SMS)
        if ticket._state.adding:
            ticket.folio = folio_to_insert(timezone.localtime(at).year)
        counted = rollups.change(None, rollups.contribution(ticket))
        together.insert_together(ticket, [created, *(within(ticket) if within else ()), confirmation, counted])
        outbox.written(confirmation)
    ticket.photos_not_stored = lost
    return ticket


def _transaction(*, one_statement):
    """The report's transaction. A report whose rows are one statement (PostgreSQL, no photo,
    no routing rule: most reports) needs none of its own: the statement commits by itself,
    atomically, in the database. Then the folio counter's row is locked only inside the
    database, from the INSERT to its commit, and never while Python answers a round trip
    (BEGIN, the statement, COMMIT); concurrent reports queued on that lock for as long as the
    slowest request thread took to send its COMMIT (docs/performance.md, run I). The commit
    hooks, which Django then runs at once, send their cache writes together at the end
    (metepec7311/cache_batch.py). Inside a caller's transaction the statement is part of it,
    as any other write."""
    return cache_batch.one_round_trip() if one_statement else transaction.atomic(savepoint=False)


def photos_lost_note(count):
    return (
        f"{count} foto(s) del reporte no se pudieron guardar: el almacenamiento de fotos no respondía. "
        "Si hacen falta, pida al ciudadano que las agregue desde su enlace privado."
    )


def ticket_add_photos(*, ticket, photos, actor=None, via=None, public=True, note="", at=None):
    """Photos added after the report: by the reporter while it is open (actor=None), or by
    staff who work the ticket (photos of the work, public or internal). One event for them."""
    at = at or timezone.now()
    photos = list(photos)
    if not photos:
        raise Refused("Agregue al menos una foto.", field="photos")
    if len(photos) > MAX_PHOTOS:
        raise Refused(f"Puede agregar hasta {MAX_PHOTOS} fotos a la vez.", field="photos")
    with stored_photos(photos) as stored, transaction.atomic():
        t = locked(ticket)
        if actor is None:
            if t.status not in OPEN_STATUSES:
                raise Refused(f"El reporte {t.folio} ya está cerrado: ya no se le pueden agregar fotos.")
            via = via or Via.WEB
        else:
            require_work(actor, t)
            via = via or Via.ADMIN
        if t.photos.count() + len(photos) > MAX_PHOTOS_PER_TICKET:
            raise Refused(
                f"El ticket {t.folio} ya tiene {MAX_PHOTOS_PER_TICKET} fotos o más; no se pueden agregar otras.",
                field="photos",
                kind="conflict",
            )
        attach_photos(t, stored, actor=actor, via=via, at=at, public=public, note=note)
        t.save(update_fields=["updated_at"])
    return refreshed(ticket, t)
