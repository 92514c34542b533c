"""What spreadsheet-like formats share: decoding CSV text, and finding columns by their
header however a file truncated or spelt it ("NUMERO DE", "TICKET", "FECHA DE S", "FECHA")."""

import csv
import io

from tickets.imports.matching import normalize

# Closing words in a date header: "FECHA DE CIERRE", "Solved at". Any other date column is the
# request date (the first one when there are several: "FECHA DE S" and "FECHA DE C" are read in
# file order, the request first, as the Gerencia writes them).
CLOSING_WORDS = (
    "cierre",
    "cerrado",
    "solucion",
    "solucionado",
    "resuelto",
    "resolucion",
    "termino",
    "solved",
    "closed",
)


def decode(data):
    """Text of a CSV file: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(data):
    """The rows of a CSV file (delimiter sniffed: comma, semicolon, tab or bar)."""
    text = decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text, newline=""), dialect)


def count_lines(data):
    return max(data.count(b"\n"), 1)


def find_columns(header, roles):
    """{role: column index} for a header row. `roles` is a list of (role, prefixes): a header
    takes the first role one of whose prefixes its first words start with."""
    columns = {}
    for index, cell in enumerate(header):
        text = normalize(cell)
        if not text:
            continue
        for role, prefixes in roles:
            if role in columns:
                continue
            if any(text == prefix or text.startswith(prefix + " ") for prefix in prefixes):
                columns[role] = index
                break
    return columns


def date_columns(header):
    """(request column, closing column) among the headers starting with "fecha"/"date"."""
    request = closing = None
    for index, cell in enumerate(header):
        text = normalize(cell)
        if not text.startswith(("fecha", "date")):
            continue
        if any(word in text.split() for word in CLOSING_WORDS):
            closing = index if closing is None else closing
        elif request is None:
            request = index
    return request, closing


def cell(row, index):
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value
