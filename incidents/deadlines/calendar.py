"""The bank's business calendar (docs/domain.md §5.1) and branch hours (docs/domain.md §1), in
Japan time.

A business day is a weekday that is not a Japanese public holiday (the ``holidays`` package keeps
the law's substitute holidays 振替休日 and citizens' holidays 国民の休日), not one of the bank
holidays 12/31–1/3, and not a closure an administrator added (``BankClosure``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import BankClosure

BRANCH_OPENS = time(8, 30)
BRANCH_CLOSES = time(17, 0)
# Far enough for any policy: 14 calendar days or a handful of business days across Golden Week.
_MAX_SEARCH_DAYS = 400


@lru_cache(maxsize=64)
def _public_and_bank_holidays(year: int) -> dict[date, str]:
    """Japan's public holidays and the bank holidays of one year, by Japanese name."""
    calendar = holidays.Japan(
        years=year, categories=(holidays.PUBLIC, holidays.BANK), language="ja"
    )
    return dict(calendar.items())


def calendar_warm_up() -> None:
    """Load the holiday tables of last year, this year and next before a server takes requests.

    The ``holidays`` package imports every country's rules the first time it is used (about 2 s
    of one core); without this, the first submit of each gunicorn worker or Celery process paid
    it in the teller's request, and every thread that arrived meanwhile waited on the import lock.
    """
    year = timezone.localdate().year
    for each in (year - 1, year, year + 1):
        _public_and_bank_holidays(each)


def _is_year_end_holiday(day: date) -> bool:
    # 12/31–1/3 are closed by the Banking Act's order whatever the holiday library says.
    return (day.month == 12 and day.day == 31) or (day.month == 1 and day.day <= 3)


class BusinessCalendar:
    """The calendar for one computation: administrator closures are read once per year touched."""

    def __init__(self) -> None:
        self._closures: dict[int, dict[date, str]] = {}

    def _closures_of(self, year: int) -> dict[date, str]:
        if year not in self._closures:
            self._closures[year] = dict(
                BankClosure.objects.filter(date__year=year).values_list("date", "reason")
            )
        return self._closures[year]

    def closure_reason(self, day: date) -> str | None:
        """Why the bank is closed that day (holiday name, 銀行休業日, a closure), or None if open."""
        if day.weekday() >= 5:
            return _("土曜日") if day.weekday() == 5 else _("日曜日")
        name = _public_and_bank_holidays(day.year).get(day)
        if name:
            return name
        if _is_year_end_holiday(day):
            return _("銀行休業日")
        return self._closures_of(day.year).get(day)

    def is_business_day(self, day: date) -> bool:
        """Whether branches are open on this day."""
        return self.closure_reason(day) is None

    def next_business_day(self, day: date, *, include: bool = False) -> date:
        """The first business day after ``day`` (or ``day`` itself when ``include`` and open)."""
        candidate = day if include else day + timedelta(days=1)
        for _step in range(_MAX_SEARCH_DAYS):
            if self.is_business_day(candidate):
                return candidate
            candidate += timedelta(days=1)
        raise ValueError(f"no business day within {_MAX_SEARCH_DAYS} days of {day}")

    def add_business_days(self, moment: datetime, n: int) -> datetime:
        """``moment`` moved ``n`` business days on, same time of day in Japan."""
        local = timezone.localtime(moment)
        day = local.date()
        for _step in range(n):
            day = self.next_business_day(day)
        return _at(day, local.timetz().replace(tzinfo=None))

    def next_business_day_at(self, moment: datetime, at: time) -> datetime:
        """``at`` o'clock on the first business day after the day of ``moment``."""
        return _at(self.next_business_day(timezone.localdate(moment)), at)

    def next_opening_at(self, moment: datetime, at: time) -> datetime:
        """``at`` o'clock on the day the branch next opens after ``moment``.

        A call taken in the small hours of a business day is picked up that morning; one taken
        after closing, on a weekend or on a holiday, on the next business day.
        """
        local = timezone.localtime(moment)
        day = local.date()
        if local.time() < BRANCH_OPENS and self.is_business_day(day):
            return _at(day, at)
        return self.next_business_day_at(moment, at)

    def is_branch_hours(self, moment: datetime) -> bool:
        """Whether branches are open at ``moment`` (8:30–17:00 on business days)."""
        local = timezone.localtime(moment)
        return BRANCH_OPENS <= local.time() < BRANCH_CLOSES and self.is_business_day(local.date())


def _at(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def is_business_day(day: date) -> bool:
    """Whether branches are open on this day."""
    return BusinessCalendar().is_business_day(day)


def closure_reason(day: date) -> str | None:
    """Why the bank is closed that day, or None on a business day."""
    return BusinessCalendar().closure_reason(day)


def next_business_day(day: date, *, include: bool = False) -> date:
    """The first business day after ``day`` (or ``day`` itself when ``include`` and open)."""
    return BusinessCalendar().next_business_day(day, include=include)


def add_business_days(moment: datetime, n: int) -> datetime:
    """``moment`` moved ``n`` business days on, same time of day in Japan."""
    return BusinessCalendar().add_business_days(moment, n)


def next_business_day_at(moment: datetime, at: time) -> datetime:
    """``at`` o'clock on the first business day after the day of ``moment``."""
    return BusinessCalendar().next_business_day_at(moment, at)


def next_opening_at(moment: datetime, at: time) -> datetime:
    """``at`` o'clock on the day the branch next opens after ``moment``."""
    return BusinessCalendar().next_opening_at(moment, at)


def is_branch_hours(moment: datetime) -> bool:
    """Whether branches are open at ``moment`` (8:30–17:00 on business days)."""
    return BusinessCalendar().is_branch_hours(moment)
