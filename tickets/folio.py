"""Folios: `7311-YYYY-NNNNNN`, unique, sequential per year, easy to dictate by phone."""

import functools
import re

from django.db import connection
from django.db.models import CharField, Func, Value

from tickets.models import FolioCounter, Ticket

FOLIO_RE = re.compile(r"^7311-(\d{4})-(\d{6,})$")


# One statement, the same on PostgreSQL and SQLite: the year's first ticket creates the row
# (also when another transaction creates it at the same moment), every other one increments
# it. The row stays locked until the ticket's transaction ends.
NEXT_NUMBER_SQL = (
    f"INSERT INTO {FolioCounter._meta.db_table} (year, last_number) VALUES (%s, 1) "
    f"ON CONFLICT (year) DO UPDATE SET last_number = {FolioCounter._meta.db_table}.last_number + 1 "
    "RETURNING last_number"
)


def next_folio(year):
    """Issue the next folio of `year`. Must run inside the ticket's own transaction.

    The counter row stays locked until that transaction ends, so concurrent creations queue
    here and never share a number, and a rolled-back creation gives its number back.
    """
    with connection.cursor() as cursor:
        cursor.execute(NEXT_NUMBER_SQL, [year])
        (number,) = cursor.fetchone()
    return format_folio(year, number)


class NextFolio(Func):
    """The year's next folio, taken by the ticket's own INSERT on PostgreSQL: the function
    (migration 0007) runs NEXT_NUMBER_SQL and formats the number as format_folio() does."""

    function = "tickets_next_folio"
    output_field = CharField()


def folio_to_insert(year):
    """What a new ticket's INSERT stores as its folio. On PostgreSQL, an expression the INSERT
    evaluates, so the counter row is locked only from that statement to the commit (no round
    trip to Python in between); elsewhere the folio itself, from next_folio()."""
    if connection.vendor == "postgresql":
        return _next_folio_expression(year)
    return next_folio(year)


@functools.lru_cache(maxsize=4)
def _next_folio_expression(year):
    """One expression per year: the INSERT compiles it once (tickets/lifecycle/together.py)."""
    return NextFolio(Value(year))


def reserve_ticket_id():
    """The id of a ticket about to be created, drawn from its sequence on PostgreSQL (None
    elsewhere), so that the rows pointing to it can be written before the folio is taken."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(RESERVE_ID_SQL)
        (ticket_id,) = cursor.fetchone()
    return ticket_id


RESERVE_ID_SQL = f"SELECT nextval(pg_get_serial_sequence('{Ticket._meta.db_table}', 'id'))"


def format_folio(year, number):
    return f"7311-{year}-{number:06d}"


def parse_folio(text):
    """The canonical folio for what a person typed, or None.

    Tolerates spaces, dots, lower case, the word "folio", a missing "7311-" prefix and
    missing zero padding: " 7311 2026 123 ", "2026-000123" and "*7311-2026-123" all give
    "7311-2026-000123".
    """
    cleaned = (text or "").upper().replace("FOLIO", "")
    if re.search(r"[A-Z]", cleaned):
        return None
    groups = re.findall(r"\d+", cleaned)
    if len(groups) == 3 and groups[0] == "7311":
        year, number = groups[1], groups[2]
    elif len(groups) == 2 and len(groups[0]) == 4:
        year, number = groups
    elif len(groups) == 1 and groups[0].startswith("7311") and len(groups[0]) >= 14:
        year, number = groups[0][4:8], groups[0][8:]
    elif len(groups) == 1 and len(groups[0]) >= 10:
        year, number = groups[0][:4], groups[0][4:]
    else:
        return None
    if not 2000 <= int(year) <= 2099 or int(number) == 0 or len(number) > 9:
        return None
    return format_folio(int(year), int(number))


def legacy_candidates(typed):
    """ "# 73 207", "073207" and "73,207" all mean the old number "73207"."""
    text = " ".join((typed or "").split()).lstrip("#").strip()
    if not text:
        return []
    candidates = {text}
    digits = text.replace(" ", "").replace(",", "").replace(".", "")
    if digits.isdigit():
        candidates |= {digits, digits.lstrip("0") or "0"}
    return sorted(candidates)
