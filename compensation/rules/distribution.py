"""The Remedy Act's distribution (被害回復分配金): a frozen balance shared among accepted claims.

Plain Python like the rest of the engine: `parse_distribution` turns decoded JSON into a frozen
`DistributionInput` (DistributionError with every problem otherwise), `distribute` decides, and
`distribution_to_dict` writes the contract's output. docs/distribution-contract.md is the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from compensation.rules.codec import _key_path, show
from compensation.rules.model import FactsError
from compensation.rules.vocab import MAX_YEN, Phrase

# Under the Act a balance below 1,000 yen ends with the extinction of the claim and no distribution
# (振り込め詐欺救済法 第8条第3項); docs/distribution-contract.md §3.
MINIMUM_BALANCE = 1_000
MAX_CLAIMS = 10_000  # a sane bound on one account's applications
MAX_ID_LENGTH = 100
INPUT_FIELDS: tuple[str, ...] = ("balance", "claims")
CLAIM_FIELDS: tuple[str, ...] = ("id", "amount")

_MISSING: Any = object()

OUTCOME_TOO_SMALL = "below_minimum"
OUTCOME_NO_CLAIMS = "no_claims"
OUTCOME_IN_FULL = "in_full"
OUTCOME_PRO_RATA = "pro_rata"


class DistributionError(FactsError):
    """Bad distribution input: every problem found, each a line "field.path: message"."""


@dataclass(frozen=True, slots=True)
class Claim:
    """One accepted victim's claimed loss, in whole yen."""

    id: str
    amount: int


@dataclass(frozen=True, slots=True)
class DistributionInput:
    """The frozen account's balance and the accepted claims on it."""

    balance: int
    claims: tuple[Claim, ...]


@dataclass(frozen=True, slots=True)
class Payment:
    """What one claim is paid."""

    id: str
    amount: int


@dataclass(frozen=True, slots=True)
class Distribution:
    """The decision: a payment per claim (in the claims' order), what is left, and why."""

    payments: tuple[Payment, ...]
    undistributed: int
    outcome: str
    reason: str

    @property
    def paid(self) -> int:
        """The total paid out."""
        return sum(payment.amount for payment in self.payments)


def _yen(amount: int) -> str:
    """Whole yen written the Japanese way."""
    return f"{amount:,}円"


def distribute(data: DistributionInput) -> Distribution:
    """Share the balance among the claims; docs/distribution-contract.md §3."""
    balance, claims = data.balance, data.claims
    total = sum(claim.amount for claim in claims)
    if balance < MINIMUM_BALANCE:
        return Distribution(
            tuple(Payment(claim.id, 0) for claim in claims),
            balance,
            OUTCOME_TOO_SMALL,
            distribution_reason(OUTCOME_TOO_SMALL, balance, total, balance),
        )
    if not claims:
        return Distribution(
            (),
            balance,
            OUTCOME_NO_CLAIMS,
            distribution_reason(OUTCOME_NO_CLAIMS, balance, 0, balance),
        )
    if total <= balance:
        left = balance - total
        return Distribution(
            tuple(Payment(claim.id, claim.amount) for claim in claims),
            left,
            OUTCOME_IN_FULL,
            distribution_reason(OUTCOME_IN_FULL, balance, total, left),
        )
    # Integer arithmetic throughout: balance × claim ÷ total, rounded down to the yen.
    payments = tuple(Payment(claim.id, balance * claim.amount // total) for claim in claims)
    left = balance - sum(payment.amount for payment in payments)
    return Distribution(
        payments,
        left,
        OUTCOME_PRO_RATA,
        distribution_reason(OUTCOME_PRO_RATA, balance, total, left),
    )


def distribution_reason(outcome: str, balance: int, total: int, left: int) -> str:
    """Why the balance was shared so, in Japanese: a Phrase a staff screen can say in the
    reader's language (key "distribution", arguments as here)."""
    if outcome == OUTCOME_TOO_SMALL:
        text = (
            f"凍結口座の残高{_yen(balance)}が{_yen(MINIMUM_BALANCE)}未満のため、"
            "被害回復分配金は支払われません（振り込め詐欺救済法）。"
        )
    elif outcome == OUTCOME_NO_CLAIMS:
        text = f"認められた申請がないため、残高{_yen(balance)}は分配されません。"
    elif outcome == OUTCOME_IN_FULL:
        text = f"申請額の合計{_yen(total)}が残高{_yen(balance)}以下のため、各申請額を全額お支払いします。"
        if left:
            text += f"残る{_yen(left)}は分配されません。"
    else:
        text = (
            f"申請額の合計{_yen(total)}が残高{_yen(balance)}を超えるため、残高を各申請額の割合で按分し、"
            "1円未満を切り捨ててお支払いします。"
        )
        if left:
            text += f"切り捨てにより残る{_yen(left)}は分配されません。"
    return Phrase(text, "distribution", outcome, balance, total, left)


def _whole_yen(problems: list[str], value: object, path: str, low: int) -> int | None:
    """A whole number of yen from low to MAX_YEN, or a problem."""
    if value is _MISSING:
        problems.append(f"{path}: required")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        problems.append(f"{path}: must be a whole number of yen ≥ {low} (got {show(value)})")
        return None
    if value > MAX_YEN:
        problems.append(f"{path}: must be at most {MAX_YEN:,} yen (got {show(value)})")
        return None
    return value


def _claim_id(problems: list[str], value: object, path: str) -> str | None:
    """A non-empty, printable string of at most MAX_ID_LENGTH characters, or a problem."""
    if value is _MISSING:
        problems.append(f"{path}: required")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: must be a non-empty string (got {show(value)})")
        return None
    if len(value) > MAX_ID_LENGTH:
        problems.append(f"{path}: must be at most {MAX_ID_LENGTH} characters")
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(f"{path}: must be valid Unicode text")
        return None
    return value


def _unknown(problems: list[str], data: dict[Any, Any], allowed: Iterable[str], path: str) -> None:
    """Report every field the contract does not know."""
    for key in data:
        if key not in allowed:
            problems.append(f"{_key_path(path, key)}: unknown field")


def parse_distribution(data: object) -> DistributionInput:
    """Validate decoded JSON into a DistributionInput, or raise DistributionError with every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise DistributionError([f"input: must be a JSON object (got {show(data)})"])
    _unknown(problems, data, INPUT_FIELDS, "")
    balance = _whole_yen(problems, data.get("balance", _MISSING), "balance", 0)
    raw_claims = data.get("claims", _MISSING)
    claims: list[Claim] = []
    if raw_claims is _MISSING:
        problems.append("claims: required (a list of the accepted claims)")
    elif not isinstance(raw_claims, list):
        problems.append(f"claims: must be a list (got {show(raw_claims)})")
    elif len(raw_claims) > MAX_CLAIMS:
        problems.append(f"claims: at most {MAX_CLAIMS:,} claims (got {len(raw_claims):,})")
    else:
        seen: dict[str, int] = {}
        for index, raw in enumerate(raw_claims):
            path = f"claims[{index}]"
            if not isinstance(raw, dict):
                problems.append(f"{path}: must be an object (got {show(raw)})")
                continue
            _unknown(problems, raw, CLAIM_FIELDS, path)
            claim_id = _claim_id(problems, raw.get("id", _MISSING), f"{path}.id")
            if claim_id is not None:
                if claim_id in seen:
                    problems.append(
                        f"{path}.id: duplicate claim id {show(claim_id)} (also claims[{seen[claim_id]}])"
                    )
                    claim_id = None
                else:
                    seen[claim_id] = index
            amount = _whole_yen(problems, raw.get("amount", _MISSING), f"{path}.amount", 1)
            if claim_id is not None and amount is not None:
                claims.append(Claim(claim_id, amount))
    if problems:
        raise DistributionError(problems)
    assert balance is not None  # no problem means the balance was read
    return DistributionInput(balance, tuple(claims))


def distribution_to_dict(result: Distribution) -> dict[str, Any]:
    """The contract's output shape."""
    return {
        "payments": [{"id": payment.id, "amount": payment.amount} for payment in result.payments],
        "undistributed": result.undistributed,
        "reason": result.reason,
    }
