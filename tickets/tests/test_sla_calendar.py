"""The business calendar, against cases worked out by hand (DESIGN.md, SLA clock)."""

from datetime import date, time, timedelta

import pytest

from conftest import local
from tickets.models import NonWorkingDay, WorkingHours
from tickets.sla import BusinessCalendar, add_business_hours, business_hours_between, get_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar():
    return get_calendar()


def test_design_example_friday_afternoon_is_due_monday_of_the_second_week(calendar):
    # 1 h Friday, 9 h each Mon 7 … Fri 11 (46 h), the last 2 h on Monday 14.
    assert calendar.add(local(2026, 12, 4, 17), 48) == local(2026, 12, 14, 11)


def test_a_report_filed_at_23_00_starts_counting_next_morning(calendar):
    # Tue 23:00 → Wed 09:00 start; Wed–Tue is 45 h; 3 h more on Wed 9.
    assert calendar.add(local(2026, 12, 1, 23), 48) == local(2026, 12, 9, 12)


def test_a_report_filed_on_sunday_starts_counting_on_monday(calendar):
    assert calendar.add(local(2026, 12, 6, 15), 48) == local(2026, 12, 14, 12)


def test_a_report_filed_at_closing_time_starts_the_next_working_day(calendar):
    assert calendar.add(local(2026, 12, 4, 18), 1) == local(2026, 12, 7, 10)


def test_a_full_day_of_hours_ends_at_closing_time_not_next_morning(calendar):
    assert calendar.add(local(2026, 12, 7, 9), 9) == local(2026, 12, 7, 18)


def test_federal_holiday_is_skipped(calendar):
    # Monday 16 November 2026 is Día de la Revolución (LFT art. 74).
    assert calendar.add(local(2026, 11, 12, 10), 48) == local(2026, 11, 20, 13)


def test_christmas_is_skipped_but_christmas_eve_is_worked(calendar):
    assert calendar.add(local(2026, 12, 23, 12), 48) == local(2026, 12, 31, 15)


def test_confirmed_state_holiday_from_the_reference_file_is_skipped(calendar):
    # 3 November 2025: Día de Muertos (observado), confirmed in the Estado de México Gaceta.
    assert local(2025, 11, 3).date() in calendar.closed_days
    assert calendar.add(local(2025, 10, 31, 9), 48) == local(2025, 11, 10, 12)


def test_projected_state_days_and_vacation_ranges_are_not_loaded(calendar):
    assert local(2026, 3, 2).date() not in calendar.closed_days  # "projected"
    assert local(2025, 7, 22).date() not in calendar.closed_days  # inside a vacation range
    assert calendar.add(local(2025, 7, 22, 9), 9) == local(2025, 7, 22, 18)


def test_a_day_off_added_in_the_admin_moves_due_dates():
    NonWorkingDay.objects.create(date=local(2026, 12, 8).date(), name="Día del municipio")
    assert add_business_hours(local(2026, 12, 4, 17), 48) == local(2026, 12, 15, 11)


def test_working_hours_edited_in_the_admin_are_used():
    WorkingHours.objects.filter(weekday=5).update(opens_at=time(9), closes_at=time(14))
    # Friday 17:00: 1 h Friday, then 5 h on Saturday.
    assert add_business_hours(local(2026, 12, 4, 17), 6) == local(2026, 12, 5, 14)


def test_hours_between_count_only_working_time(calendar):
    assert calendar.between(local(2026, 12, 4, 17), local(2026, 12, 7, 10)) == timedelta(hours=2)
    assert business_hours_between(local(2026, 12, 4, 17), local(2026, 12, 14, 11)) == 48
    assert calendar.between(local(2026, 12, 7, 10), local(2026, 12, 4, 17)) == -timedelta(hours=2)


def test_adding_zero_moves_to_the_next_working_moment(calendar):
    assert calendar.add(local(2026, 12, 6, 12), 0) == local(2026, 12, 7, 9)
    assert calendar.add(local(2026, 12, 7, 12), 0) == local(2026, 12, 7, 12)


def test_negative_hours_are_refused(calendar):
    with pytest.raises(ValueError):
        calendar.add(local(2026, 12, 7, 12), -1)


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        BusinessCalendar(hours={})


def test_results_are_in_metepec_time_even_for_utc_input(calendar):
    from datetime import UTC, datetime

    # 2026-12-04 23:00 UTC is Friday 17:00 in Metepec (UTC-6, no daylight saving time).
    result = calendar.add(datetime(2026, 12, 4, 23, tzinfo=UTC), 48)
    assert result == local(2026, 12, 14, 11)
    assert result.utcoffset() == timedelta(hours=-6)


def test_the_calendar_is_read_once_and_forgotten_when_staff_change_it(db, django_assert_num_queries):
    get_calendar()
    with django_assert_num_queries(0):  # every report needs it: from the shared cache
        get_calendar()
    day = date(2026, 12, 28)
    NonWorkingDay.objects.create(date=day, name="Día del municipio")
    assert not get_calendar().is_working_day(day)
    assert not get_calendar().is_working_day(date(2026, 12, 5))  # a Saturday
    WorkingHours.objects.update_or_create(weekday=5, defaults={"opens_at": time(9), "closes_at": time(13)})
    assert get_calendar().is_working_day(date(2026, 12, 5))
    NonWorkingDay.objects.filter(date=day).delete()
    assert get_calendar().is_working_day(day)
