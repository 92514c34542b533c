"""Properties of the business calendar that must hold for any moment and any duration."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tickets.sla import BusinessCalendar

MX = ZoneInfo("America/Mexico_City")
# A fixed calendar (no database): default hours plus the state days the reference file loads.
CALENDAR = BusinessCalendar(closed_days=frozenset({date(2025, 11, 3), date(2025, 11, 17), date(2026, 12, 8)}), tz=MX)

moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 1)).map(
    lambda naive: naive.replace(second=0, microsecond=0, tzinfo=MX)
)
durations = st.integers(min_value=0, max_value=200 * 60).map(lambda minutes: timedelta(minutes=minutes))
positive = st.integers(min_value=1, max_value=200 * 60).map(lambda minutes: timedelta(minutes=minutes))


@settings(max_examples=300, deadline=None)
@given(moments, durations, durations)
def test_adding_a_then_b_equals_adding_a_plus_b(t, a, b):
    assert CALENDAR.add(CALENDAR.add(t, a), b) == CALENDAR.add(t, a + b)


@settings(max_examples=300, deadline=None)
@given(moments, durations)
def test_hours_between_t_and_t_plus_h_are_h(t, h):
    assert CALENDAR.between(t, CALENDAR.add(t, h)) == h


@settings(max_examples=300, deadline=None)
@given(moments, positive)
def test_the_result_never_falls_on_a_non_working_moment(t, h):
    result = CALENDAR.add(t, h)
    assert CALENDAR.is_working_moment(result)
    assert CALENDAR.is_working_day(result.date())


@settings(max_examples=200, deadline=None)
@given(moments, durations, durations)
def test_more_hours_never_give_an_earlier_due_date(t, a, b):
    assert CALENDAR.add(t, a) <= CALENDAR.add(t, a + b)


@settings(max_examples=200, deadline=None)
@given(moments, positive, durations, durations)
def test_pausing_moves_the_due_date_by_exactly_the_business_time_waited(created, sla, before, waited):
    """Extending the due date by the time waited equals restarting with the time that was left."""
    due = CALENDAR.add(created, sla)
    paused = CALENDAR.add(created, min(before, sla))
    resumed = CALENDAR.add(paused, waited)
    left = CALENDAR.between(paused, due)
    assert CALENDAR.add(due, CALENDAR.between(paused, resumed)) == CALENDAR.add(resumed, left)
