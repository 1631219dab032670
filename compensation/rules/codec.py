"""The contract's JSON shapes: validating input into Facts, and writing facts and decisions back."""

from __future__ import annotations

import datetime
import re
from typing import Any

from compensation.rules.model import (
    POLICY_FIELDS,
    RATE_FIELDS,
    Assessment,
    Facts,
    FactsError,
    Item,
    Policy,
    Requirements,
    Transaction,
)
from compensation.rules.vocab import (
    CHECKLIST_CODES,
    CUSTOMER_TYPES,
    EARLIEST_DATE,
    FAULTS,
    ITEM_KINDS,
    LATEST_DATE,
    MAX_DAYS,
    MAX_YEN,
    REQUIREMENT_NAMES,
    TAKEN_BY_VALUES,
)

MIN_DATE = EARLIEST_DATE
MAX_DATE = LATEST_DATE

TOP_LEVEL_FIELDS: tuple[str, ...] = (
    "customer_type",
    "notified_on",
    "items",
    "requirements",
    "checklist",
    "bank_at_fault",
    "taken_by",
    "false_explanation",
    "war_or_riot",
    "unavoidable_days",
    "policy",
    "transactions",
)
ITEM_FIELDS: tuple[str, ...] = ("id", "kind", "occurred_on", "fault")
TRANSACTION_FIELDS: tuple[str, ...] = ("id", "item", "date", "amount", "fee", "interest")

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_CHECKLIST_ORDER = {code: index for index, code in enumerate(CHECKLIST_CODES)}
_MISSING: Any = object()
DEFAULT_POLICY = Policy()


def show(value: object, limit: int = 60) -> str:
    """Quote a value from the input for an error line: one line, bounded, always encodable."""
    if isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = repr(value) if not isinstance(value, int) or abs(value) < 10**30 else "a huge number"
    elif isinstance(value, dict):
        text = "an object"
    elif isinstance(value, list | tuple):
        text = "a list"
    else:
        text = type(value).__name__
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_path(parent: str, key: object) -> str:
    """The path of an object's field, quoting names that are not plain identifiers."""
    if isinstance(key, str) and _NAME_RE.match(key) and len(key) <= 60:
        name = key
    else:
        name = "[" + show(key) + "]"
        return (parent or "input") + name
    return f"{parent}.{name}" if parent else name


def _valid_text(text: str) -> bool:
    """True when a string holds no lone surrogate, so it can be written as UTF-8."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Parser:
    """Collects every problem while turning decoded JSON into Facts and Policy."""

    def __init__(self) -> None:
        """Start with no problems."""
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(f"{path or 'input'}: {message}")

    def unknown_fields(self, obj: dict[Any, Any], allowed: tuple[str, ...], path: str) -> None:
        """Report every field the contract does not know."""
        for key in obj:
            if key not in allowed:
                self.problem(_key_path(path, key), "unknown field")

    def obj(self, value: object, path: str) -> dict[Any, Any] | None:
        """Expect a JSON object."""
        if isinstance(value, dict):
            return value
        self.problem(path, f"must be an object (got {show(value)})")
        return None

    def array(self, value: object, path: str) -> list[Any] | None:
        """Expect a JSON list."""
        if isinstance(value, list):
            return value
        self.problem(path, f"must be a list (got {show(value)})")
        return None

    def boolean(self, value: object, path: str, default: bool) -> bool:
        """Expect true or false; absent gives the default."""
        if value is _MISSING:
            return default
        if isinstance(value, bool):
            return value
        self.problem(path, f"must be true or false (got {show(value)})")
        return default

    def choice(
        self, value: object, path: str, choices: tuple[str, ...], nullable: bool
    ) -> str | None:
        """Expect one of the contract's words (or null when allowed)."""
        if value is None and nullable:
            return None
        if isinstance(value, str) and value in choices:
            return value
        allowed = ", ".join(choices) + (", null" if nullable else "")
        self.problem(path, f"must be one of {allowed} (got {show(value)})")
        return None

    def date(self, value: object, path: str, nullable: bool = False) -> datetime.date | None:
        """Expect an ISO date YYYY-MM-DD that exists on the calendar."""
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not _DATE_RE.match(value):
            suffix = " or null" if nullable else ""
            self.problem(path, f"must be a date written YYYY-MM-DD{suffix} (got {show(value)})")
            return None
        try:
            day = datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            self.problem(path, f"no such date ({value})")
            return None
        if not MIN_DATE <= day <= MAX_DATE:
            self.problem(path, f"must be between {MIN_DATE} and {MAX_DATE} (got {value})")
            return None
        return day

    def yen(self, value: object, path: str, default: int | None = None) -> int:
        """Expect a whole number of yen, at least 0 and at most MAX_YEN."""
        if value is _MISSING and default is not None:
            return default
        if value is _MISSING:
            self.problem(path, "required")
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(path, f"must be a whole number of yen ≥ 0 (got {show(value)})")
            return 0
        if value > MAX_YEN:
            self.problem(path, f"must be at most {MAX_YEN:,} yen (got {show(value)})")
            return 0
        return value

    def days(self, value: object, path: str, default: int, low: int) -> int:
        """Expect a whole number of days between low and MAX_DAYS."""
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_DAYS:
            self.problem(
                path, f"must be a whole number of days from {low} to {MAX_DAYS} (got {show(value)})"
            )
            return default
        return value

    def rate(self, value: object, path: str, default: int | None) -> int | None:
        """Expect a whole percentage 0-100, or null for "decided case by case"."""
        if value is _MISSING:
            return default
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            self.problem(
                path, f"must be a whole percentage from 0 to 100, or null (got {show(value)})"
            )
            return default
        return value

    def ident(self, value: object, path: str) -> str | None:
        """Expect a non-empty string id."""
        if value is _MISSING:
            self.problem(path, "required")
            return None
        if not isinstance(value, str) or not value:
            self.problem(path, f"must be a non-empty string (got {show(value)})")
            return None
        if not _valid_text(value):
            self.problem(path, "must be valid Unicode text")
            return None
        return value

    def policy(self, value: object) -> Policy:
        """Read the policy overrides; every unknown key is a problem."""
        defaults = Policy()
        if value is _MISSING:
            return defaults
        data = self.obj(value, "policy")
        if data is None:
            return defaults
        self.unknown_fields(data, POLICY_FIELDS, "policy")
        rates = {
            name: self.rate(data.get(name, _MISSING), f"policy.{name}", getattr(defaults, name))
            for name in RATE_FIELDS
        }
        policy = Policy(
            window_days=self.days(
                data.get("window_days", _MISSING), "policy.window_days", defaults.window_days, 1
            ),
            n3_requires_bank_request=self.boolean(
                data.get("n3_requires_bank_request", _MISSING),
                "policy.n3_requires_bank_request",
                defaults.n3_requires_bank_request,
            ),
            **rates,
        )
        negligence = policy.online_banking_negligence_rate
        gross = policy.online_banking_gross_negligence_rate
        if negligence is not None and gross is not None and gross > negligence:
            self.problem(
                "policy.online_banking_gross_negligence_rate",
                f"must not exceed online_banking_negligence_rate ({negligence}): "
                "gross negligence cannot pay more than negligence",
            )
        return policy

    def requirements(self, value: object) -> Requirements:
        """Read the three requirements, each true when absent."""
        if value is _MISSING:
            return Requirements()
        data = self.obj(value, "requirements")
        if data is None:
            return Requirements()
        self.unknown_fields(data, REQUIREMENT_NAMES, "requirements")
        return Requirements(
            *(
                self.boolean(data.get(name, _MISSING), f"requirements.{name}", True)
                for name in REQUIREMENT_NAMES
            )
        )

    def checklist(self, value: object) -> frozenset[str]:
        """Read the checklist codes."""
        if value is _MISSING:
            return frozenset()
        data = self.array(value, "checklist")
        if data is None:
            return frozenset()
        codes = set()
        for index, code in enumerate(data):
            if isinstance(code, str) and code in _CHECKLIST_ORDER:
                codes.add(code)
            else:
                self.problem(f"checklist[{index}]", f"unknown checklist code {show(code)}")
        return frozenset(codes)

    def items(self, value: object) -> tuple[tuple[Item, ...], set[str] | None]:
        """Read the items; also return every id seen, or None when the list itself is unusable."""
        if value is _MISSING:
            self.problem(
                "items", "required (a list of the cards, passbooks or online banking involved)"
            )
            return (), None
        data = self.array(value, "items")
        if data is None:
            return (), None
        items: list[Item] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(data):
            path = f"items[{index}]"
            entry = self.obj(raw, path)
            if entry is None:
                continue
            before = len(self.problems)
            self.unknown_fields(entry, ITEM_FIELDS, path)
            item_id = self.ident(entry.get("id", _MISSING), f"{path}.id")
            if item_id is not None:
                if item_id in seen:
                    self.problem(
                        f"{path}.id",
                        f"duplicate item id {show(item_id)} (also items[{seen[item_id]}])",
                    )
                else:
                    seen[item_id] = index
            kind_value = entry.get("kind", _MISSING)
            if kind_value is _MISSING:
                self.problem(f"{path}.kind", "required")
                kind = None
            else:
                kind = self.choice(kind_value, f"{path}.kind", ITEM_KINDS, nullable=False)
            occurred_on = self.date(entry.get("occurred_on"), f"{path}.occurred_on", nullable=True)
            fault = self.choice(entry.get("fault"), f"{path}.fault", FAULTS, nullable=True)
            if len(self.problems) == before and item_id is not None and kind is not None:
                items.append(Item(item_id, kind, occurred_on, fault))
        return tuple(items), set(seen)

    def transactions(self, value: object, item_ids: set[str] | None) -> tuple[Transaction, ...]:
        """Read the transactions and check that each names a known item."""
        if value is _MISSING:
            self.problem("transactions", "required (a list, possibly empty)")
            return ()
        data = self.array(value, "transactions")
        if data is None:
            return ()
        transactions: list[Transaction] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(data):
            path = f"transactions[{index}]"
            entry = self.obj(raw, path)
            if entry is None:
                continue
            before = len(self.problems)
            self.unknown_fields(entry, TRANSACTION_FIELDS, path)
            tx_id = self.ident(entry.get("id", _MISSING), f"{path}.id")
            if tx_id is not None:
                if tx_id in seen:
                    self.problem(
                        f"{path}.id",
                        f"duplicate transaction id {show(tx_id)}"
                        f" (also transactions[{seen[tx_id]}])",
                    )
                else:
                    seen[tx_id] = index
            item = self.ident(entry.get("item", _MISSING), f"{path}.item")
            if item is not None and item_ids is not None and item not in item_ids:
                self.problem(f"{path}.item", f"no item with id {show(item)} in items")
            date_value = entry.get("date", _MISSING)
            if date_value is _MISSING:
                self.problem(f"{path}.date", "required")
                day = None
            else:
                day = self.date(date_value, f"{path}.date")
            amount = self.yen(entry.get("amount", _MISSING), f"{path}.amount")
            fee = self.yen(entry.get("fee", _MISSING), f"{path}.fee", 0)
            interest = self.yen(entry.get("interest", _MISSING), f"{path}.interest", 0)
            if len(self.problems) == before and tx_id and item and day:
                transactions.append(Transaction(tx_id, item, day, amount, fee, interest))
        return tuple(transactions)

    def facts(self, data: object) -> tuple[Facts, Policy]:
        """Read a whole case, or raise FactsError with every problem found."""
        if not isinstance(data, dict):
            raise FactsError([f"input: must be a JSON object (got {show(data)})"])
        self.unknown_fields(data, TOP_LEVEL_FIELDS, "")
        customer_type = self.choice(
            data.get("customer_type", "individual"), "customer_type", CUSTOMER_TYPES, nullable=False
        )
        notified_value = data.get("notified_on", _MISSING)
        if notified_value is _MISSING:
            self.problem("notified_on", "required (the day the bank was notified, YYYY-MM-DD)")
            notified_on = None
        else:
            notified_on = self.date(notified_value, "notified_on")
        items, item_ids = self.items(data.get("items", _MISSING))
        requirements = self.requirements(data.get("requirements", _MISSING))
        checklist = self.checklist(data.get("checklist", _MISSING))
        bank_at_fault = self.boolean(data.get("bank_at_fault", _MISSING), "bank_at_fault", False)
        taken_by = self.choice(data.get("taken_by"), "taken_by", TAKEN_BY_VALUES, nullable=True)
        false_explanation = self.boolean(
            data.get("false_explanation", _MISSING), "false_explanation", False
        )
        war_or_riot = self.boolean(data.get("war_or_riot", _MISSING), "war_or_riot", False)
        unavoidable_days = self.days(
            data.get("unavoidable_days", _MISSING), "unavoidable_days", 0, 0
        )
        policy = self.policy(data.get("policy", _MISSING))
        transactions = self.transactions(data.get("transactions", _MISSING), item_ids)
        if self.problems or notified_on is None or customer_type is None:
            raise FactsError(self.problems or ["input: invalid"])
        facts = Facts(
            notified_on=notified_on,
            items=items,
            transactions=transactions,
            customer_type=customer_type,
            requirements=requirements,
            checklist=checklist,
            bank_at_fault=bank_at_fault,
            taken_by=taken_by,
            false_explanation=false_explanation,
            war_or_riot=war_or_riot,
            unavoidable_days=unavoidable_days,
        )
        return facts, policy


def parse_facts(data: object) -> tuple[Facts, Policy]:
    """Validate decoded JSON as the contract's input; raise FactsError listing every problem."""
    return _Parser().facts(data)


def _iso(day: datetime.date | None) -> str | None:
    """Write a date as YYYY-MM-DD, or None."""
    return None if day is None else day.isoformat()


def facts_to_dict(facts: Facts, policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """Write facts and policy in the contract's input shape, every field explicit."""
    items = []
    for item in facts.items:
        entry: dict[str, Any] = {
            "id": item.id,
            "kind": item.kind,
            "occurred_on": _iso(item.occurred_on),
        }
        if item.fault is not None:
            entry["fault"] = item.fault
        items.append(entry)
    return {
        "customer_type": facts.customer_type,
        "notified_on": facts.notified_on.isoformat(),
        "items": items,
        "requirements": {
            "prompt_notice": facts.requirements.prompt_notice,
            "explanation": facts.requirements.explanation,
            "police_report": facts.requirements.police_report,
        },
        "checklist": sorted(
            facts.checklist,
            key=lambda code: (_CHECKLIST_ORDER.get(code, len(_CHECKLIST_ORDER)), code),
        ),
        "bank_at_fault": facts.bank_at_fault,
        "taken_by": facts.taken_by,
        "false_explanation": facts.false_explanation,
        "war_or_riot": facts.war_or_riot,
        "unavoidable_days": facts.unavoidable_days,
        "policy": {name: getattr(policy, name) for name in POLICY_FIELDS},
        "transactions": [
            {
                "id": tx.id,
                "item": tx.item,
                "date": tx.date.isoformat(),
                "amount": tx.amount,
                "fee": tx.fee,
                "interest": tx.interest,
            }
            for tx in facts.transactions
        ],
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """Write an assessment in the contract's output shape (plus each transaction's status)."""
    return {
        "outcome": assessment.outcome,
        "window_start": _iso(assessment.window_start),
        "claimed_total": assessment.claimed_total,
        "compensation_total": assessment.compensation_total,
        "items": [
            {"id": item.id, "suggested_fault": item.suggested_fault, "fault": item.fault}
            for item in assessment.items
        ],
        "transactions": [
            {
                "id": tx.id,
                "covered": tx.covered,
                "rate": tx.rate,
                "claimed": tx.claimed,
                "compensation": tx.compensation,
                "reasons": list(tx.reasons),
                "status": tx.status,
            }
            for tx in assessment.transactions
        ],
        "reasons": list(assessment.reasons),
        "rules_version": assessment.rules_version,
    }
