"""The public story of a ticket: what the tracking page shows, in plain Spanish.

Only public events, and never who on the staff did what: the department speaks as one.
"""

from dataclasses import dataclass

from tickets.models import TicketEvent

Kind = TicketEvent.Kind


@dataclass
class Entry:
    at: object
    title: str
    text: str
    by: str


def public_timeline(ticket):
    events = ticket.events.filter(is_public=True).order_by("created_at", "id")
    entries = []
    for event in events:
        by = "Ciudadano" if event.actor_id is None and event.actor_name == "Ciudadano" else str(ticket.department)
        if event.kind == Kind.CREATED:
            entries.append(Entry(event.created_at, "Reporte recibido", f"Por {event.get_via_display().lower()}.", by))
        elif event.kind == Kind.STATUS:
            entries.append(Entry(event.created_at, f"Estado: {event.new_value}", event.note, by))
        elif event.kind == Kind.ROUTED:
            entries.append(Entry(event.created_at, "Turnado", f"Lo atiende {event.new_value}.", by))
        elif event.kind == Kind.NOTE:
            title = "Información del ciudadano" if by == "Ciudadano" else "Nota de la dependencia"
            entries.append(Entry(event.created_at, title, event.note, by))
        elif event.kind == Kind.REOPENED:
            entries.append(Entry(event.created_at, "Reabierto", event.note, by))
        elif event.kind == Kind.MERGED:
            entries.append(Entry(event.created_at, "Reporte unido", f"Se unió el reporte {event.new_value}.", by))
        elif event.kind == Kind.AFFECTED:
            entries.append(
                Entry(event.created_at, "Otro vecino afectado", "Otra persona reportó el mismo problema.", "Ciudadano")
            )
    return entries
