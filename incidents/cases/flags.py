"""Flags beside a transaction at intake: before the window, past the two-year limit."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from compensation import rules
from compensation.rules import Policy
from incidents.cases.policy import policy_for
from incidents.models import (
    Case,
    UnauthorizedTransaction,
)


@dataclass(frozen=True)
class DateFlag:
    """A transaction outside what the compensation rules usually cover: flagged, not refused."""

    code: str
    message: str


def case_flagged(case: Case) -> list[tuple[UnauthorizedTransaction, list[DateFlag]]]:
    """Each transaction of the case beside its flags (the policy looked up once for the case)."""
    policy = policy_for(case)
    return [(tx, transaction_flags(case, tx, policy)) for tx in case.transactions.all()]


def transaction_flags(
    case: Case, tx: UnauthorizedTransaction, policy: Policy | None = None
) -> list[DateFlag]:
    """Flags shown beside a transaction at intake (docs/domain.md §5.5: flagged, not silently
    dropped)."""
    flags: list[DateFlag] = []
    notified_on = case.notified_on
    kind = tx.item.rules_kind if tx.item_id else None
    if kind is not None and not rules.has_limits(kind):
        # The engine applies neither the window nor the two-year limit to this kind (a
        # counterfeit card's withdrawal is void whatever its date; a transfer the customer made
        # is the Remedy Act's): no flag that the decision would contradict.
        return flags
    tx_day = timezone.localdate(tx.occurred_at)
    # The engine's own window under the policy in force, as the decision will apply it.
    policy = policy or policy_for(case)
    start = rules.window_first_day(notified_on, policy)
    if tx_day < start:
        flags.append(
            DateFlag(
                "before_window",
                _(
                    "通知日の%(days)s日前の日（%(start)s）より前のお取引です。補償の対象外となる可能性があります。"
                )
                % {"days": policy.window_days, "start": start.strftime("%Y/%m/%d")},
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
    limit = rules.two_years_after(origin)
    if notified_on > limit:
        flags.append(
            DateFlag(
                "past_limit",
                _(
                    "盗難・発生から2年を経過した後の通知です（期限 %(limit)s）。補償の対象外となる可能性があります。"
                )
                % {"limit": limit.strftime("%Y/%m/%d")},
            )
        )
    return flags
