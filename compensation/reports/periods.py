"""Fiscal quarters and years in Japan time, units and the rounding of reported figures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_QUARTERS = 20  # five fiscal years at most in one report


# --- Periods ------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    """A fiscal quarter: fiscal year 2025 runs from 2025-04-01 to 2026-03-31, Q1 is April–June."""

    fiscal_year: int
    number: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        index = (day.year * 12 + day.month - 4) // 3
        return cls.from_index(index)

    @classmethod
    def from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    @property
    def index(self) -> int:
        """Quarters counted from year 0, as the database computes them (see ``_quarter_index``)."""
        return self.fiscal_year * 4 + self.number - 1

    @property
    def start(self) -> datetime.date:
        month = 4 + 3 * (self.number - 1)
        return datetime.date(self.fiscal_year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> datetime.date:
        """The day after the quarter's last day."""
        return Quarter.from_index(self.index + 1).start

    @property
    def label(self) -> str:
        return _("第%(number)s四半期") % {"number": self.number}

    @property
    def months(self) -> str:
        last = self.end - datetime.timedelta(days=1)
        return f"{self.start:%Y/%m}–{last:%m}"

    def __str__(self) -> str:
        return f"{self.fiscal_year}Q{self.number}"


@dataclass(frozen=True)
class Period:
    """Whole quarters from ``first`` to ``last`` (inclusive)."""

    first: Quarter
    last: Quarter

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")
        if self.last.index - self.first.index >= MAX_QUARTERS:
            raise ValueError("at most five fiscal years")

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        return cls(Quarter(year, 1), Quarter(year, 4))

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter.from_index(i) for i in range(self.first.index, self.last.index + 1)]

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.first.fiscal_year, self.last.fiscal_year + 1))

    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first.start, datetime.time(), tzinfo=TOKYO)

    def end_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.last.end, datetime.time(), tzinfo=TOKYO)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return _("%(year)s年度 %(quarter)s") % {
                "year": self.first.fiscal_year,
                "quarter": self.first.label,
            }
        if self.first.number == 1 and self.last.number == 4:
            if self.first.fiscal_year == self.last.fiscal_year:
                return _("%(year)s年度") % {"year": self.first.fiscal_year}
            return _("%(first)s〜%(last)s年度") % {
                "first": self.first.fiscal_year,
                "last": self.last.fiscal_year,
            }
        return _("%(first_year)s年度%(first)s〜%(last_year)s年度%(last)s") % {
            "first_year": self.first.fiscal_year,
            "first": self.first.label,
            "last_year": self.last.fiscal_year,
            "last": self.last.label,
        }

    @property
    def slug(self) -> str:
        return f"{self.first}-{self.last}"


def current_fiscal_year(today: datetime.date | None = None) -> int:
    """The fiscal year today falls in (Japan time)."""
    return Quarter.of(today or timezone.localdate()).fiscal_year


# --- Units and rounding -------------------------------------------------------------------------

UNITS = {"yen": 1, "man": 10_000, "million": 1_000_000}
UNIT_LABELS = {"yen": _("円"), "man": _("万円"), "million": _("百万円")}


def in_unit(amount: int, unit: str) -> int:
    """Whole yen in the unit, rounded half up (四捨五入) from the exact yen figure."""
    divisor = UNITS[unit]
    if divisor == 1:
        return amount
    return int((Decimal(amount) / divisor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ratio(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def average_man_yen(amount: int, cases: int) -> Decimal | None:
    """The average loss in 万円 with one decimal, rounded half up."""
    if not cases:
        return None
    return (Decimal(amount) / cases / 10_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
