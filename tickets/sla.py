"""The business calendar behind the 48-business-hour promise (DESIGN.md, SLA clock).

Business time is counted only inside the working hours of working days, in the city's
time zone. Working windows are closed intervals: with the default 09:00–18:00 hours,
nine business hours from Monday 09:00 end on Monday at 18:00, not on Tuesday at 09:00.

All arithmetic is on `timedelta` (whole microseconds), so the properties the tests check
hold exactly: add(add(t, a), b) == add(t, a + b) and between(t, add(t, h)) == h.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

# A calendar with no working day at all would make add() loop forever.
MAX_DAYS_SCANNED = 366 * 20

DEFAULT_HOURS = {weekday: (time(9), time(18)) for weekday in range(5)}


@lru_cache(maxsize=64)
def federal_rest_days(year):
    """Federal rest days (Ley Federal del Trabajo, art. 74) for one year."""
    return frozenset(holidays.MX(years=year).keys())


def as_delta(hours):
    return hours if isinstance(hours, timedelta) else timedelta(hours=hours)


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly working hours plus non-working days. Build it with `get_calendar()`."""

    hours: dict = field(default_factory=lambda: dict(DEFAULT_HOURS))
    closed_days: frozenset = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(settings.TIME_ZONE))
    include_federal: bool = True

    def __post_init__(self):
        if not self.hours:
            raise ValueError("The business calendar needs at least one working day.")

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.hours or day in self.closed_days:
            return False
        return not (self.include_federal and day in federal_rest_days(day.year))

    def window(self, day: date):
        """The (start, end) of a working day, or None when the day is not worked."""
        if not self.is_working_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return datetime.combine(day, opens, tzinfo=self.tz), datetime.combine(day, closes, tzinfo=self.tz)

    def add(self, start: datetime, hours) -> datetime:
        """The moment `hours` business hours after `start` (a timedelta or a number of hours).

        Outside working hours the count starts at the next working moment, so adding zero
        moves a moment to the next working moment.
        """
        remaining = as_delta(hours)
        if remaining < timedelta(0):
            raise ValueError("Business hours to add must not be negative.")
        moment = start.astimezone(self.tz)
        day = moment.date()
        for _ in range(MAX_DAYS_SCANNED):
            window = self.window(day)
            if window is not None:
                opens, closes = window
                begin = max(moment, opens)
                if begin <= closes:
                    available = closes - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time found in the business calendar.")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from `start` to `end` (negative when `end` comes first)."""
        if end < start:
            return -self.between(end, start)
        start, end = start.astimezone(self.tz), end.astimezone(self.tz)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            window = self.window(day)
            if window is not None:
                overlap = min(end, window[1]) - max(start, window[0])
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total

    def is_working_moment(self, moment: datetime) -> bool:
        window = self.window(moment.astimezone(self.tz).date())
        return window is not None and window[0] <= moment <= window[1]


def get_calendar() -> BusinessCalendar:
    """The calendar as staff configured it in the admin: every report and every status change
    needs it, so each process keeps it with the rest of the reference data (tickets/catalogue.py),
    forgotten when staff change it."""
    from tickets import catalogue

    hours, closed = catalogue.kept("calendar", _configured)
    return BusinessCalendar(hours=hours, closed_days=closed)


def _configured():
    from tickets.models import NonWorkingDay, WorkingHours

    rows = list(WorkingHours.objects.all())
    worked = {row.weekday: (row.opens_at, row.closes_at) for row in rows if row.opens_at and row.closes_at}
    return (worked if rows else dict(DEFAULT_HOURS)), frozenset(NonWorkingDay.objects.values_list("date", flat=True))


def add_business_hours(start, hours, calendar=None):
    return (calendar or get_calendar()).add(start, hours)


def business_hours_between(start, end, calendar=None) -> float:
    return (calendar or get_calendar()).between(start, end).total_seconds() / 3600


def due_dates(start, sla_hours, calendar):
    """(due_at, due_soon_at) for a clock of `sla_hours` started at `start`."""
    due_at = calendar.add(start, sla_hours)
    warning = max(timedelta(0), as_delta(sla_hours) - timedelta(hours=settings.SLA_WARNING_HOURS))
    return due_at, calendar.add(start, warning)
