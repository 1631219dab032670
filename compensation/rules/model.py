"""Immutable inputs and outputs of the compensation rules."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


class FactsError(ValueError):
    """Bad facts: every problem found, each a line "field.path: message"."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the list of problems and show them one per line."""
        self.problems: list[str] = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class Policy:
    """The institution's policy parameters; a rate of None means "decided case by case"."""

    window_days: int = 30
    stolen_card_negligence_rate: int | None = 75
    passbook_negligence_rate: int | None = 75
    online_banking_negligence_rate: int | None = None
    online_banking_gross_negligence_rate: int | None = 0
    n3_requires_bank_request: bool = False


# The policy's negligence rates, in the order the engine reads them.
RATE_FIELDS: tuple[str, ...] = (
    "stolen_card_negligence_rate",
    "passbook_negligence_rate",
    "online_banking_negligence_rate",
    "online_banking_gross_negligence_rate",
)
POLICY_FIELDS: tuple[str, ...] = ("window_days", *RATE_FIELDS, "n3_requires_bank_request")


@dataclass(frozen=True, slots=True)
class Requirements:
    """The customer's cooperation (協力事項): prompt notice, explanation, police report."""

    prompt_notice: bool = True
    explanation: bool = True
    police_report: bool = True


@dataclass(frozen=True, slots=True)
class Item:
    """The card, passbook or online-banking access behind some transactions."""

    id: str
    kind: str
    occurred_on: datetime.date | None = None
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class Transaction:
    """One unauthorized withdrawal or transfer, in whole yen."""

    id: str
    item: str
    date: datetime.date
    amount: int
    fee: int = 0
    interest: int = 0


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the rules need to know about one case."""

    notified_on: datetime.date
    items: tuple[Item, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    customer_type: str = "individual"
    requirements: Requirements = Requirements()
    checklist: frozenset[str] = frozenset()
    bank_at_fault: bool = False
    taken_by: str | None = None
    false_explanation: bool = False
    war_or_riot: bool = False
    unavoidable_days: int = 0


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The fault suggested by the checklist and the fault the rules applied to one item."""

    id: str
    suggested_fault: str | None
    fault: str
    grounds: tuple[str, ...] = ()  # the checklist codes behind suggested_fault


@dataclass(frozen=True, slots=True)
class TransactionResult:
    """The decision on one transaction; rate and compensation are None when pending or in review."""

    id: str
    covered: bool
    rate: int | None
    claimed: int
    compensation: int | None
    reasons: tuple[str, ...]
    status: str = "decided"


@dataclass(frozen=True, slots=True)
class Assessment:
    """The decision on a whole case, with the rule-set version that produced it."""

    outcome: str
    window_start: datetime.date | None
    claimed_total: int
    compensation_total: int | None
    items: tuple[ItemResult, ...]
    transactions: tuple[TransactionResult, ...]
    reasons: tuple[str, ...]
    rules_version: str
