"""Zendesk, where the Gerencia worked before this portal.

Two exports are read:

- the JSON of the incremental ticket export (`{"tickets": [...], "metric_sets": [...]}`,
  one page or several concatenated as JSON lines; a bare list of tickets too);
- the CSV of a view export (columns by their English or Spanish titles).

The service lived in a custom field. The field is found by rule: the one whose values match
catalogue services most often (values like `atencion_de_bacheo` read as "atención de bacheo");
a ticket without it falls back to its subject. Mapping of statuses and channels: see
docs/import.md.
"""

import json
from collections import Counter

from tickets.imports.formats import tabular
from tickets.imports.records import Reader, Row
from tickets.models import Status, TicketEvent

Via = TicketEvent.Via

STATUSES = {
    "new": Status.NUEVO,
    "open": Status.EN_PROCESO,
    "pending": Status.EN_ESPERA,
    "hold": Status.EN_ESPERA,
    "solved": Status.RESUELTO,
    "closed": Status.RESUELTO,
    # A Spanish-language account's CSV.
    "nuevo": Status.NUEVO,
    "abierto": Status.EN_PROCESO,
    "pendiente": Status.EN_ESPERA,
    "en espera": Status.EN_ESPERA,
    "resuelto": Status.RESUELTO,
    "cerrado": Status.RESUELTO,
}
CHANNELS = {
    "voice": Via.TELEFONO,
    "phone": Via.TELEFONO,
    "phone_call_inbound": Via.TELEFONO,
    "phone_call_outbound": Via.TELEFONO,
    "sms": Via.TELEFONO,
    "whatsapp": Via.TELEFONO,
    "mobile": Via.APP,
    "mobile_sdk": Via.APP,
    "api": Via.API,
    "web": Via.WEB,
    "web_form": Via.WEB,
    "web_widget": Via.WEB,
    "web_service": Via.API,
    "email": Via.WEB,
    "chat": Via.WEB,
    "native_messaging": Via.WEB,
    "telefono": Via.TELEFONO,
    "correo": Via.WEB,
    "formulario web": Via.WEB,
}
CSV_ROLES = [
    ("number", ("id", "ticket id", "ticket", "numero", "numero de ticket")),
    ("subject", ("subject", "asunto", "tema")),
    ("description", ("description", "descripcion")),
    ("status", ("status", "estado", "estatus")),
    (
        "created",
        ("requested", "created", "created at", "solicitado", "creado", "fecha de creacion", "fecha de solicitud"),
    ),
    ("solved", ("solved", "solved at", "resuelto", "fecha de resolucion", "fecha de solucion")),
    ("updated", ("updated", "updated at", "actualizado", "fecha de actualizacion")),
    ("via", ("via", "channel", "canal")),
    ("service", ("servicio", "service", "tipo de servicio")),
]
CSV_MARKS = ("requested", "solicitado", "via", "canal", "solved", "updated", "actualizado")


def status_word(value):
    text = " ".join(str(value or "").lower().split())
    return STATUSES.get(text, value)


def channel(value):
    return CHANNELS.get(" ".join(str(value or "").lower().split()), "")


class ZendeskJsonReader(Reader):
    format = "zendesk"
    default_source = "gerencia"  # the spreadsheets are exports of the same tickets

    def __init__(self, name, data):
        super().__init__(name, data)
        self.tickets, self.metrics = [], {}
        for page in _pages(data):
            items = page.get("tickets", page.get("results", [])) if isinstance(page, dict) else page
            self.tickets.extend(item for item in items if isinstance(item, dict))
            if isinstance(page, dict):
                for metric in page.get("metric_sets", []):
                    self.metrics[metric.get("ticket_id")] = metric
        self.total = len(self.tickets)
        self.matcher = None

    def __iter__(self):
        field = self._service_field()
        for position, ticket in enumerate(self.tickets, start=1):
            metric = ticket.get("metric_set") or self.metrics.get(ticket.get("id")) or {}
            status = str(ticket.get("status") or "")
            custom = _custom_values(ticket)
            via = ticket.get("via") or {}
            row = Row(
                file=self.name,
                sheet="",
                row=position,
                number=ticket.get("id"),
                subject=str(custom.get(field) or ticket.get("subject") or ticket.get("raw_subject") or ""),
                status=status_word(status),
                created=ticket.get("created_at"),
                resolved=ticket.get("solved_at") or metric.get("solved_at"),
                # A closed ticket's last update is its closing, as far as the export tells.
                closed=ticket.get("updated_at") if status == "closed" else None,
                description=str(ticket.get("description") or ""),
                via=channel(via.get("channel") if isinstance(via, dict) else via),
            )
            if status == "deleted":
                row.refused = "el ticket está borrado en Zendesk"
            yield row

    def _service_field(self):
        """The custom field that held the service: the one whose values match most often."""
        if self.matcher is None:
            return None
        hits = Counter()
        for ticket in self.tickets[:2000]:
            for field, value in _custom_values(ticket).items():
                if value and self.matcher.match(str(value))[0] is not None:
                    hits[field] += 1
        return hits.most_common(1)[0][0] if hits else None


def _pages(data):
    text = tabular.decode(data).strip()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        # Several pages of the export saved one after another, one per line.
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _custom_values(ticket):
    values = {}
    for item in (ticket.get("custom_fields") or []) + (ticket.get("fields") or []):
        if isinstance(item, dict) and item.get("value") not in (None, "", []):
            value = item["value"]
            values[item.get("id")] = " ".join(value) if isinstance(value, list) else str(value).replace("_", " ")
    return values


class ZendeskCsvReader(Reader):
    format = "zendesk"
    default_source = "gerencia"

    def __init__(self, name, data):
        super().__init__(name, data)
        self.total = tabular.count_lines(data) - 1

    def __iter__(self):
        rows = tabular.csv_rows(self.data)
        header = next(rows, [])
        columns = tabular.find_columns(header, CSV_ROLES)
        for number, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue

            def get(role, values=values):
                return tabular.cell(values, columns.get(role))

            status = get("status")
            row = Row(
                file=self.name,
                sheet="",
                row=number,
                number=get("number"),
                subject=str(get("service") or get("subject") or ""),
                status=status_word(status),
                created=get("created"),
                resolved=get("solved"),
                closed=get("updated") if str(status or "").lower() in ("closed", "cerrado") else None,
                description=str(get("description") or ""),
                via=channel(get("via")),
            )
            if str(status or "").lower() in ("deleted", "borrado"):
                row.refused = "el ticket está borrado en Zendesk"
            yield row


def looks_like_csv(header):
    names = {" ".join(str(h).lower().split()) for h in header}
    return any(mark in names for mark in CSV_MARKS)
