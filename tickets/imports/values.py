"""Reading the cells of other systems: dates, coordinates, statuses and numbers.

Each reader raises ValueError with the reason in Spanish, which the report shows as is.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from tickets.imports.matching import normalize
from tickets.models import Status

# A date without a time of day is taken at noon in Metepec: the day stays the same in every
# time zone the figures are read in, and nobody mistakes it for a real time.
DATE_ONLY_TIME = time(12)
EARLIEST_YEAR = 2000

_DMY = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?\s*m\.?)?)?$"
)


@lru_cache(maxsize=1)
def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


def parse_moment(value, *, now=None):
    """An aware datetime from a cell: a real date-time, a date, an Excel serial number, text
    `dd/mm/yyyy [HH:MM[:SS]]` (day first, as Mexico writes it) or ISO 8601."""
    now = now or timezone.now()
    zone = local_zone()
    moment = _moment(value, zone)
    if moment is None:
        return None
    if moment.year < EARLIEST_YEAR:
        raise ValueError(f"la fecha {moment:%d/%m/%Y} es anterior a {EARLIEST_YEAR}")
    if moment > now + timedelta(days=1):
        raise ValueError(f"la fecha {moment.astimezone(zone):%d/%m/%Y} está en el futuro")
    return moment


def _moment(value, zone):
    if value is None:
        return None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            return value
        if value.time() == time(0):  # a spreadsheet's date cell: Excel keeps dates as midnight
            return datetime.combine(value.date(), DATE_ONLY_TIME, tzinfo=zone)
        return value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, DATE_ONLY_TIME, tzinfo=zone)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value, zone)
    text = " ".join(str(value).split())
    if not text:
        return None
    match = _DMY.match(text.lower())
    if match:
        return _day_first(match, zone, text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return _excel_serial(float(text), zone)
        raise ValueError(f"no se entiende la fecha «{text[:40]}» (se espera dd/mm/aaaa)") from None
    if len(text) <= 10:  # a date alone
        return datetime.combine(parsed.date(), DATE_ONLY_TIME, tzinfo=zone)
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=zone)


def _day_first(match, zone, text):
    day, month, year, hour, minute, second, meridiem = match.groups()
    year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        if hour is None:
            return datetime.combine(date(year, int(month), int(day)), DATE_ONLY_TIME, tzinfo=zone)
        hour = int(hour)
        if meridiem:
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
        return datetime(year, int(month), int(day), hour, int(minute), int(second or 0), tzinfo=zone)
    except ValueError:
        raise ValueError(f"la fecha «{text[:40]}» no existe (se espera dd/mm/aaaa)") from None


def _excel_serial(number, zone):
    # Excel counts days from 1899-12-30; plausible serials are years 2000–2100.
    if not 36526 <= number <= 73051:
        raise ValueError(f"no se entiende la fecha «{number}» (se espera dd/mm/aaaa)")
    moment = datetime(1899, 12, 30) + timedelta(days=number)
    if moment.time() == time(0):
        return datetime.combine(moment.date(), DATE_ONLY_TIME, tzinfo=zone)
    return moment.replace(tzinfo=zone, microsecond=0)


def parse_coordinate(value):
    """A Decimal from a number or text ("19.2757", "19,2757"); None when empty or zero."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"la coordenada «{text[:20]}» no es un número") from None
    if not number.is_finite():
        raise ValueError(f"la coordenada «{text[:20]}» no es un número")
    return None if number == 0 else number


def legacy_number(value):
    """The source's ticket number as text: 73207.0 (a spreadsheet's float) → "73207"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split()).lstrip("#")
    return text[:40]


# Status words of the Gerencia's spreadsheets and of other systems' exports, normalized.
STATUS_WORDS = {
    Status.RESUELTO: (
        "cerrado",
        "cerrada",
        "resuelto",
        "resuelta",
        "solucionado",
        "solucionada",
        "atendido",
        "atendida",
        "concluido",
        "concluida",
        "terminado",
        "terminada",
        "finalizado",
        "finalizada",
        "closed",
        "solved",
        "resolved",
    ),
    Status.NO_PROCEDE: ("no procede", "improcedente", "cancelado", "cancelada", "rechazado", "rechazada"),
    Status.DUPLICADO: ("duplicado", "duplicada"),
    Status.EN_ESPERA: ("en espera", "pendiente", "pending", "hold", "on hold"),
    Status.EN_PROCESO: ("en proceso", "en atencion", "abierto", "abierta", "open", "in progress"),
    Status.ASIGNADO: ("asignado", "asignada", "turnado", "turnada"),
    Status.NUEVO: ("nuevo", "nueva", "new", "recibido", "recibida"),
}
STATUS_CODES = frozenset(Status.values)
STATUS_PHRASES = {phrase: status for status, phrases in STATUS_WORDS.items() for phrase in phrases}


def parse_status(value, *, default=Status.RESUELTO):
    """Our status for a status word; an empty cell is closed history (`default`)."""
    if value is None or value == "":
        return default
    return _status(str(value))


@lru_cache(maxsize=256)  # a file has a handful of status words, repeated on every row
def _status(value):
    key = normalize(value)
    if not key:
        return Status.RESUELTO
    if key.replace(" ", "_") in STATUS_CODES:
        return Status(key.replace(" ", "_"))
    if key in STATUS_PHRASES:
        return STATUS_PHRASES[key]
    raise ValueError(f"estado desconocido «{str(value).strip()[:40]}»")
