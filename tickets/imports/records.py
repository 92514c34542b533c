"""What every format's reader produces: one `Row` per ticket, with the source's raw values.

Readers (tickets/imports/formats/) only find the values; the rules that turn them into a
ticket — and the reasons for refusing one — are in tickets/imports/prepare.py, the same for
every format.
"""

from dataclasses import dataclass, field


@dataclass
class Row:
    file: str
    sheet: str  # "" when the format has no sheets
    row: int  # as the person sees it: the spreadsheet's row, the CSV's line, the record's position
    number: object = None  # the ticket's number in its source (the legacy folio)
    subject: str = ""  # the service as the source named it
    service_code: str = ""  # when the source gives one of our codes (open data, Open311)
    status: object = None
    created: object = None
    resolved: object = None
    closed: object = None
    latitude: object = None
    longitude: object = None
    description: str = ""
    address: str = ""
    colonia: str = ""
    postal_code: str = ""
    delegacion: str = ""  # tells same-name colonias of one postal code apart
    locality_cvegeo: str = ""
    via: str = ""  # our event channel for how the ticket first came in (TicketEvent.Via)
    parent_number: str = ""  # a duplicate's parent, by its number in the same source
    notes: list = field(default_factory=list)  # doubts a reader already has about the row
    refused: str = ""  # why the reader already knows the row cannot be imported


@dataclass
class Unreadable:
    """A part of a file that holds no readable rows (a sheet without the expected columns)."""

    file: str
    sheet: str
    row: int
    reason: str
    number: object = None


class Reader:
    """Base of the format readers; each subclass's __iter__ yields Row (and Unreadable) objects."""

    format = ""
    default_source = ""  # the legacy numbering these files use

    def __init__(self, name, data):
        self.name = name
        self.data = data  # bytes
        self.total = 0  # rows expected, for the progress bar (set by the reader when known)
