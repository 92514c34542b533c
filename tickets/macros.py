"""Respuestas predefinidas (macros): a supervisor's text with placeholders, filled from the
ticket when staff insert it (tickets/models/workspace.py, Macro).

Placeholders are `{name}` from a fixed list, substituted by a regular expression: nothing
else in the text is interpreted (no attribute access, no template tags), so a macro can never
reach beyond the few values listed here.
"""

import re

from tickets.formatting import due_in_words

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def values(ticket):
    return {
        "folio": ticket.folio,
        "servicio": ticket.service.name,
        "fecha_compromiso": due_in_words(ticket.due_at),
        "colonia": ticket.colonia.name if ticket.colonia_id else "su colonia",
        "direccion": ticket.address or "el lugar del reporte",
        "dependencia": ticket.department.name,
    }


NAMES = ("folio", "servicio", "fecha_compromiso", "colonia", "direccion", "dependencia")


def unknown_placeholders(text):
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in NAMES})


def expand(macro, ticket):
    known = values(ticket)
    return PLACEHOLDER.sub(lambda match: known.get(match.group(1), match.group(0)), macro.body)


def offered(ticket):
    """[(macro, text)] for the ticket page, the text already filled in."""
    from tickets.models import Macro

    return [(macro, expand(macro, ticket)) for macro in Macro.objects.for_ticket(ticket).order_by("name")]
