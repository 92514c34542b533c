"""The public story of a ticket: what the tracking page, Open311 and the REST API show.

Only public events, and never who on the staff did what: the department speaks as one.
"""

from dataclasses import dataclass

from tickets.models import TicketEvent

Kind = TicketEvent.Kind
# The kinds of event that belong to the public story (when the event itself is public).
PUBLIC_KINDS = (
    Kind.CREATED,
    Kind.STATUS,
    Kind.ROUTED,
    Kind.NOTE,
    Kind.REOPENED,
    Kind.MERGED,
    Kind.AFFECTED,
    Kind.PHOTO,
    Kind.MODERATED,
)


@dataclass
class Entry:
    at: object
    title: str
    text: str
    by: str
    kind: str = ""
    event_id: int | None = None


def entry(event, department_name):
    """One public event in plain Spanish, or None for kinds the public story leaves out."""
    citizen = event.actor_id is None and event.actor_name == "Ciudadano"
    by = "Ciudadano" if citizen else department_name
    # A CREATED event's note is never shown here: for imported history it names the file,
    # sheet and row it came from (tickets/imports/writer.py), which is for staff.
    if event.kind == Kind.CREATED and event.via == TicketEvent.Via.IMPORTADO:
        title, text = "Reporte recibido", "Registrado en el sistema anterior; su historial se importó a este portal."
    elif event.kind == Kind.CREATED:
        title, text = "Reporte recibido", f"Por {event.get_via_display().lower()}."
    elif event.kind == Kind.STATUS:
        title, text = f"Estado: {event.new_value}", event.note
    elif event.kind == Kind.ROUTED:
        title, text = "Turnado", f"Lo atiende {event.new_value}."
    elif event.kind == Kind.NOTE:
        title, text = ("Información del ciudadano" if citizen else "Nota de la dependencia"), event.note
    elif event.kind == Kind.REOPENED:
        title, text = "Reabierto", event.note
    elif event.kind == Kind.MERGED:
        title, text = "Reporte unido", f"Se unió el reporte {event.new_value}."
    elif event.kind == Kind.AFFECTED:
        title, text, by = "Otro vecino afectado", "Otra persona reportó el mismo problema.", "Ciudadano"
    elif event.kind == Kind.PHOTO:
        title, text = "Fotos agregadas", f"{event.new_value}." + (f" {event.note}" if event.note else "")
    elif event.kind == Kind.MODERATED:  # that something was moderated and why; never the original
        title, text, by = "Contenido moderado", f"{event.new_value}. {event.note}", "Gerencia de la Ciudad"
    else:
        return None
    return Entry(event.created_at, title, text, by, kind=event.kind, event_id=event.pk)


def public_events(ticket):
    return ticket.events.filter(is_public=True, kind__in=PUBLIC_KINDS).order_by("created_at", "id")


def public_timeline(ticket, events=None):
    """Entries of the ticket's public events (`events` when already loaded, in order)."""
    events = public_events(ticket) if events is None else events
    department = str(ticket.department)
    return [e for e in (entry(event, department) for event in events) if e is not None]
