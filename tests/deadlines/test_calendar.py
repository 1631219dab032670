"""The bank's business calendar on known dates: Golden Week, the New Year, substitute holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.utils import timezone

from incidents.deadlines import calendar
from incidents.models import BankClosure

pytestmark = pytest.mark.django_db


def jst(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def open_days(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if calendar.is_business_day(day):
            days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


def test_golden_week_2026_closes_the_bank_from_may_2_to_may_6():
    assert not calendar.is_business_day(date(2026, 4, 29))  # 昭和の日 (Wednesday)
    assert open_days(date(2026, 4, 28), date(2026, 5, 8)) == [
        date(2026, 4, 28),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 5, 7),
        date(2026, 5, 8),
    ]


def test_the_substitute_holiday_for_a_sunday_holiday_is_closed():
    # 憲法記念日 falls on Sunday 3 May 2026: Wednesday 6 May is its 振替休日.
    assert calendar.closure_reason(date(2026, 5, 6)) == "振替休日"
    # 勤労感謝の日 on Sunday 23 November 2025 makes Monday the 24th a substitute holiday.
    assert not calendar.is_business_day(date(2025, 11, 24))
    assert calendar.is_business_day(date(2025, 11, 25))


def test_a_citizens_holiday_between_two_holidays_is_closed():
    # 2026-09-22 lies between 敬老の日 and 秋分の日: 国民の休日.
    assert calendar.closure_reason(date(2026, 9, 22)) == "国民の休日"
    assert open_days(date(2026, 9, 18), date(2026, 9, 24)) == [date(2026, 9, 18), date(2026, 9, 24)]


def test_the_new_year_2026_27_closes_the_bank_from_december_31_to_january_3():
    assert calendar.is_business_day(date(2026, 12, 30))
    for day in (date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)):
        assert not calendar.is_business_day(day), day
    assert calendar.closure_reason(date(2026, 12, 31)) == "銀行休業日"
    assert calendar.next_business_day(date(2026, 12, 30)) == date(2027, 1, 4)
    assert calendar.add_business_days(jst(2026, 12, 30, 11, 0), 1) == jst(2027, 1, 4, 11, 0)


def test_a_call_on_friday_night_before_a_monday_holiday_is_picked_up_on_tuesday_at_ten():
    friday_night = jst(2026, 7, 17, 22, 30)  # 海の日 is Monday 20 July 2026
    assert calendar.next_business_day_at(friday_night, time(10, 0)) == jst(2026, 7, 21, 10, 0)
    assert calendar.next_opening_at(friday_night, time(10, 0)) == jst(2026, 7, 21, 10, 0)


def test_a_call_before_the_silver_week_waits_for_thursday():
    assert calendar.next_opening_at(jst(2026, 9, 18, 19, 0), time(10, 0)) == jst(2026, 9, 24, 10)


def test_a_call_in_the_small_hours_of_a_business_day_is_picked_up_that_morning():
    assert calendar.next_opening_at(jst(2026, 7, 21, 6, 15), time(10, 0)) == jst(2026, 7, 21, 10)
    # After opening time the branch is open already: the next business day.
    assert calendar.next_opening_at(jst(2026, 7, 21, 9, 0), time(10, 0)) == jst(2026, 7, 22, 10)


def test_business_days_are_counted_across_golden_week():
    assert calendar.add_business_days(jst(2026, 4, 30, 14, 0), 2) == jst(2026, 5, 7, 14, 0)
    assert calendar.add_business_days(jst(2026, 5, 2, 9, 0), 1) == jst(2026, 5, 7, 9, 0)
    assert calendar.add_business_days(jst(2026, 4, 30, 14, 0), 0) == jst(2026, 4, 30, 14, 0)


def test_a_closure_added_by_the_administrator_is_not_a_business_day():
    assert calendar.is_business_day(date(2026, 6, 15))
    BankClosure.objects.create(date=date(2026, 6, 15), reason="勘定系システム更改")
    assert calendar.closure_reason(date(2026, 6, 15)) == "勘定系システム更改"
    assert calendar.next_business_day(date(2026, 6, 12)) == date(2026, 6, 16)


def test_branch_hours_are_8_30_to_17_00_on_business_days():
    assert not calendar.is_branch_hours(jst(2026, 7, 21, 8, 29))
    assert calendar.is_branch_hours(jst(2026, 7, 21, 8, 30))
    assert calendar.is_branch_hours(jst(2026, 7, 21, 16, 59))
    assert not calendar.is_branch_hours(jst(2026, 7, 21, 17, 0))
    assert not calendar.is_branch_hours(jst(2026, 7, 18, 10, 0))  # Saturday
    assert not calendar.is_branch_hours(jst(2026, 7, 20, 10, 0))  # 海の日
    # An aware time in another zone is judged in Japan time: 01:00 UTC is 10:00 JST.
    assert calendar.is_branch_hours(datetime(2026, 7, 21, 1, 0, tzinfo=UTC))


def test_one_computation_reads_the_closures_once_per_year(django_assert_num_queries):
    with django_assert_num_queries(1):
        cal = calendar.BusinessCalendar()
        for offset in range(40):
            cal.is_business_day(date.fromordinal(date(2026, 3, 1).toordinal() + offset))
