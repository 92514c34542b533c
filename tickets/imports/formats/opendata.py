"""The portal's own open data, `/datos/tickets.csv` (stats/opendata.py writes it).

Importing it into an empty database reproduces the public numbers (the round trip): every
ticket with its service, status, creation month, colonia and locality. The folio it had is
kept as the legacy number (source "portal"), so it can still be looked up. Importing the file
into the database it came from adds nothing: a row whose folio is already there, with the
same creation time, is the same ticket.
"""

from tickets.imports.formats import tabular
from tickets.imports.records import Reader, Row
from tickets.models import TicketEvent

MARKS = ("folio", "servicio_codigo", "estado", "creado")
CHANNEL_VIA = {c: c for c in ("web", "telefono", "app", "api", "importado")}


class OpenDataReader(Reader):
    format = "datos_abiertos"
    default_source = "portal"

    def __init__(self, name, data):
        super().__init__(name, data)
        self.total = tabular.count_lines(data) - 1

    def __iter__(self):
        rows = tabular.csv_rows(self.data)
        header = [h.strip() for h in next(rows, [])]
        index = {name: i for i, name in enumerate(header)}
        for number, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue

            def get(name, values=values):
                return tabular.cell(values, index.get(name)) or ""

            yield Row(
                file=self.name,
                sheet="",
                row=number,
                number=get("folio"),
                subject=get("servicio"),
                service_code=get("servicio_codigo"),
                status=get("estado"),
                created=get("creado"),
                resolved=get("resuelto"),
                closed=get("cerrado"),
                latitude=get("latitud"),
                longitude=get("longitud"),
                colonia=get("colonia"),
                postal_code=get("codigo_postal"),
                delegacion=get("delegacion"),
                locality_cvegeo=get("localidad_cvegeo"),
                via=CHANNEL_VIA.get(get("canal"), TicketEvent.Via.IMPORTADO),
                parent_number=get("folio_principal"),
            )


def looks_like(header):
    names = {h.strip() for h in header}
    return all(mark in names for mark in MARKS)
