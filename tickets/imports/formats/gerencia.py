"""The Gerencia's spreadsheets of closed tickets: one file per area, one sheet or several.

Columns are found by their header, not by position, in the first rows of each sheet
(tickets/imports/formats/tabular.py): ticket number, status, subject, request date,
longitude, latitude, and — when a file has them — closing date, description, address,
colonia and postal code. A sheet without a subject column takes its subject from the sheet's
name ("Desasolve"). Sheets without the columns are reported, not guessed.
"""

from io import BytesIO
from pathlib import PurePath

from python_calamine import CalamineWorkbook

from tickets.imports.formats import tabular
from tickets.imports.records import Reader, Row, Unreadable

ROLES = [
    ("number", ("numero", "num", "no", "n", "ticket", "folio", "id", "reporte")),
    ("status", ("estado", "estatus", "status", "situacion")),
    ("subject", ("asunto", "servicio", "tipo", "motivo", "categoria", "subject")),
    ("longitude", ("long", "lon", "lng", "longitud", "x")),
    ("latitude", ("lat", "latitud", "y")),
    ("description", ("descripcion", "detalle", "observaciones", "comentario", "comentarios")),
    ("address", ("direccion", "domicilio", "calle", "ubicacion")),
    ("colonia", ("colonia",)),
    ("postal_code", ("cp", "c p", "codigo postal")),
]
HEADER_SEARCH_ROWS = 10
REQUIRED = ("number", "created")


class GerenciaReader(Reader):
    format = "gerencia"
    default_source = "gerencia"

    def __init__(self, name, data):
        super().__init__(name, data)
        self.is_excel = PurePath(name).suffix.lower() in (".xlsx", ".xlsm")
        if self.is_excel:
            # calamine (Rust) reads cells several times faster than a pure-Python reader, and
            # gives dates as dates; a sheet is read whole, one at a time.
            self.book = CalamineWorkbook.from_filelike(BytesIO(data))
            self.total = sum(max(self.book.get_sheet_by_name(n).height - 1, 0) for n in self.book.sheet_names)
        else:
            self.total = tabular.count_lines(data) - 1

    def sheets(self):
        if not self.is_excel:
            yield "", tabular.csv_rows(self.data)
            return
        for name in self.book.sheet_names:
            # The Gerencia's sheet names carry stray spaces ("Escombro "): shown trimmed.
            yield " ".join(name.split()), self.book.get_sheet_by_name(name).iter_rows()

    def __iter__(self):
        for sheet_name, rows in self.sheets():
            yield from self._sheet(sheet_name, rows)

    def _sheet(self, sheet_name, rows):
        header, columns, number = None, {}, 0
        for number, values in enumerate(rows, start=1):
            if header is None:
                if not any(v not in (None, "") for v in values):
                    continue
                columns = header_columns(values)
                if all(role in columns for role in REQUIRED):
                    header = values
                elif number >= HEADER_SEARCH_ROWS:
                    break
                continue
            if not any(v not in (None, "") for v in values):
                continue  # blank rows between blocks and at the end
            yield self._row(sheet_name, number, values, columns)
        if header is None and number:
            yield Unreadable(
                self.name,
                sheet_name,
                1,
                "no se encontraron las columnas de número de ticket y fecha en las primeras filas; "
                "la hoja no se importó",
            )

    def _row(self, sheet_name, number, values, columns):
        def get(role):
            return tabular.cell(values, columns.get(role))

        subject = get("subject") if "subject" in columns else sheet_name or PurePath(self.name).stem
        return Row(
            file=self.name,
            sheet=sheet_name,
            row=number,
            number=get("number"),
            subject=str(subject or ""),
            status=get("status"),
            created=get("created"),
            closed=get("closed"),
            latitude=get("latitude"),
            longitude=get("longitude"),
            description=str(get("description") or ""),
            address=str(get("address") or ""),
            colonia=str(get("colonia") or ""),
            postal_code=str(get("postal_code") or ""),
        )


def header_columns(values):
    header = ["" if v is None else str(v) for v in values]
    columns = tabular.find_columns(header, ROLES)
    request, closing = tabular.date_columns(header)
    if request is not None:
        columns["created"] = request
    if closing is not None:
        columns["closed"] = closing
    return columns


def looks_like(header):
    columns = header_columns(header)
    return all(role in columns for role in REQUIRED)
