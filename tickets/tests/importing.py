"""Helpers of the import tests: files the tests write themselves, and running an import."""

import io
from pathlib import Path

import openpyxl
from django.core.management import call_command

SAMPLES = Path(__file__).resolve().parent / "samples"  # two real files of the Gerencia (2025)


def xlsx(sheets):
    """Bytes of a workbook: {sheet name: [row, ...]} (rows are lists of cell values)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def run_command(*paths, **options):
    """Run `manage.py import_tickets`; returns its printed report."""
    out = io.StringIO()
    call_command("import_tickets", *[str(p) for p in paths], stdout=out, verbosity=0, **options)
    return out.getvalue()


HEADER = ["NUMERO DE", "ESTADO", "ASUNTO", "FECHA DE S", "LONG", "LAT"]
# A point inside the municipality (San Salvador Tizatlalli) and one in Toluca, outside.
INSIDE = (-99.598908, 19.275743)
OUTSIDE = (-99.70, 19.29)
