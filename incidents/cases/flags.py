"""Flags beside a transaction at intake: before the window, past the two-year limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import (
    Case,
    UnauthorizedTransaction,
)

WINDOW_DAYS = getattr(settings, "MAMORI_INTAKE_WINDOW_DAYS", 30)


@dataclass(frozen=True)
class DateFlag:
    """A transaction outside what the compensation rules usually cover: flagged, not refused."""

    code: str
    message: str


def window_start(notified_on: date, window_days: int = WINDOW_DAYS) -> date:
    """The first day of the compensation window (通知日の30日前の日)."""
    return notified_on - timedelta(days=window_days)


def two_year_limit(start: date) -> date:
    """The last day the bank may be notified: the same calendar day two years on (29 Feb → 28 Feb)."""
    try:
        return start.replace(year=start.year + 2)
    except ValueError:
        return start.replace(year=start.year + 2, day=28)


def transaction_flags(case: Case, tx: UnauthorizedTransaction) -> list[DateFlag]:
    """Flags shown beside a transaction at intake (DOMAIN §5: flagged, not silently dropped)."""
    flags: list[DateFlag] = []
    notified_on = case.notified_on
    kind = tx.item.rules_kind if tx.item_id else None
    if kind == "counterfeit_card":
        return flags  # a counterfeit-card withdrawal is void whatever its date
    tx_day = timezone.localdate(tx.occurred_at)
    start = window_start(notified_on)
    if tx_day < start:
        flags.append(
            DateFlag(
                "before_window",
                _(
                    "通知日の30日前の日（%(start)s）より前のお取引です。補償の対象外となる可能性があります。"
                )
                % {"start": start.strftime("%Y/%m/%d")},
            )
        )
    origin = tx.item.occurred_on if tx.item_id and tx.item.occurred_on else None
    if origin is None:
        first = min(
            (
                timezone.localdate(t.occurred_at)
                for t in case.transactions.all()
                if t.item_id == tx.item_id
            ),
            default=tx_day,
        )
        origin = first
    if notified_on > two_year_limit(origin):
        flags.append(
            DateFlag(
                "past_limit",
                _(
                    "盗難・発生から2年を経過した後の通知です（期限 %(limit)s）。補償の対象外となる可能性があります。"
                )
                % {"limit": two_year_limit(origin).strftime("%Y/%m/%d")},
            )
        )
    return flags
