"""The formats the importer reads, and how a file's format is recognised.

| format           | files                                         | reader                   |
|------------------|-----------------------------------------------|--------------------------|
| `gerencia`       | the Gerencia's `.xlsx` (or the same as `.csv`) | formats/gerencia.py      |
| `zendesk`        | incremental export `.json`, view export `.csv` | formats/zendesk.py       |
| `datos_abiertos` | the portal's `/datos/tickets.csv`              | formats/opendata.py      |
| `open311`        | `requests.json` / `requests.xml`               | formats/open311.py       |
"""

from pathlib import PurePath

from tickets.imports.formats import gerencia, open311, opendata, tabular, zendesk

FORMATS = ("gerencia", "zendesk", "datos_abiertos", "open311")


class UnknownFormat(ValueError):
    pass


def reader_for(name, data, fmt=None):
    """The reader of one file; `fmt` forces a format. Raises UnknownFormat (Spanish reason)."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xls":
        raise UnknownFormat(f"«{name}»: el formato .xls (Excel 97) no se lee; guárdelo como .xlsx o CSV.")
    fmt = fmt or detect(name, data)
    try:
        if fmt == "gerencia":
            return gerencia.GerenciaReader(name, data)
        if fmt == "zendesk":
            return zendesk.ZendeskCsvReader(name, data) if suffix == ".csv" else zendesk.ZendeskJsonReader(name, data)
        if fmt == "datos_abiertos":
            return opendata.OpenDataReader(name, data)
        if fmt == "open311":
            return open311.Open311Reader(name, data)
    except UnknownFormat:
        raise
    except Exception as error:  # a reader that cannot open the file at all: say so, by file
        raise UnknownFormat(f"«{name}» no se pudo leer como {fmt}: {error}") from error
    raise UnknownFormat(f"Formato desconocido «{fmt}»: use {', '.join(FORMATS)}.")


def detect(name, data):
    suffix = PurePath(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or data[:2] == b"PK":
        return "gerencia"
    if suffix == ".xml" or open311.looks_like(data):
        return "open311"
    if suffix == ".json" or data.lstrip()[:1] in (b"{", b"["):
        return "zendesk"
    header = next(tabular.csv_rows(data[:65536]), [])
    if opendata.looks_like(header):
        return "datos_abiertos"
    if zendesk.looks_like_csv(header):
        return "zendesk"
    if gerencia.looks_like(header):
        return "gerencia"
    raise UnknownFormat(
        f"No se reconoce el formato de «{name}»: no tiene las columnas de una hoja de la Gerencia, "
        "de una exportación de Zendesk ni de los datos abiertos. Indique el formato."
    )
