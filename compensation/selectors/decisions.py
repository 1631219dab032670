"""The decisions of a case and what an approved one stored."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from compensation import rules
from compensation.choices import DecisionStatus, Fault, Outcome
from compensation.models import Decision
from compensation.rules import wording
from compensation.selectors.evaluation import case_by_case_sentence
from compensation.selectors.wording import recorded_words
from incidents.models import Case, ReportedItem, UnauthorizedTransaction, User
from incidents.models.choices import TransactionChannel
from incidents.models.querysets import VIEW

# --- Decisions ---------------------------------------------------------------------------------


def case_decisions(case: Case) -> list[Decision]:
    """Every decision of a case, oldest first, with the people involved."""
    return list(
        Decision.objects.filter(case=case)
        .select_related("prepared_by", "reviewed_by", "policy")
        .order_by("number")
    )


def decision_current(decisions: list[Decision]) -> Decision | None:
    """The approved decision in force: the latest approval (each supersedes the one before)."""
    approved = [d for d in decisions if d.status == DecisionStatus.APPROVED]
    return approved[-1] if approved else None


def decision_open(decisions: list[Decision]) -> Decision | None:
    """The decision waiting for review, if any."""
    return next((d for d in decisions if d.status == DecisionStatus.SUBMITTED), None)


@dataclass(frozen=True)
class StoredLine:
    """One transaction of an approved decision, as stored."""

    id: str
    date: datetime.date
    occurred_at: datetime.datetime
    channel_label: object
    item_label: object
    amount: int
    fee: int
    interest: int
    claimed: int
    covered: bool
    rate: int | None
    compensation: int | None
    is_case_by_case: bool
    reasons: list[object]
    rate_reason: str


@dataclass(frozen=True)
class StoredDecision:
    """An approved decision's result, read back from what was stored at approval."""

    lines: list[StoredLine]
    reasons: list[object]
    outcome: str
    claimed_total: int
    compensation_total: int
    window_start: datetime.date | None
    rules_version: str
    faults: list[dict[str, Any]]

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)


def decision_stored(decision: Decision) -> StoredDecision | None:
    """The stored result of an approved decision in a shape templates can show; None otherwise.

    Its sentences are the record, in the bank's language; each one the rules provably make the
    same today is given as the phrase it is, so a staff screen can say it in the reader's
    language (``staff_words``), and any other is shown as recorded.
    """
    result = decision.result
    if not result:
        return None
    words = _recorded_words(decision, result)
    rate_reasons = {entry["transaction"]: entry["reason"] for entry in result["case_by_case"]}
    lines = [
        StoredLine(
            id=line["id"],
            date=datetime.date.fromisoformat(line["date"]),
            occurred_at=datetime.datetime.fromisoformat(line["occurred_at"]),
            channel_label=_channel_label(line),
            item_label=words(line["item"]),
            amount=line["amount"],
            fee=line["fee"],
            interest=line["interest"],
            claimed=line["claimed"],
            covered=line["covered"],
            rate=line["rate"],
            compensation=line["compensation"],
            is_case_by_case=line["case_by_case"],
            reasons=[words(reason) for reason in line["reasons"]],
            rate_reason=rate_reasons.get(line["id"], ""),
        )
        for line in result["lines"]
    ]
    engine = result["assessment"]
    kinds = {item["id"]: item["kind"] for item in (decision.facts or {}).get("items", [])}
    faults = [
        {
            "kind": rules.ITEM_KIND_LABELS.get(kinds.get(item["id"], ""), item["id"]),
            "suggested": Fault(item["suggested_fault"]).label if item["suggested_fault"] else None,
            "fault": Fault(item["fault"]).label,
        }
        for item in engine["items"]
    ]
    window = engine["window_start"]
    return StoredDecision(
        lines=lines,
        reasons=[words(reason) for reason in result["reasons"]],
        outcome=result["outcome"],
        claimed_total=result["claimed_total"],
        compensation_total=result["compensation_total"],
        window_start=datetime.date.fromisoformat(window) if window else None,
        rules_version=engine["rules_version"],
        faults=faults,
    )


def _channel_label(line: dict[str, Any]) -> object:
    """The transaction type in the reader's language from its stored code, else as recorded."""
    code = line.get("channel")
    return (
        TransactionChannel(code).label
        if code in TransactionChannel.values
        else line["channel_label"]
    )


def _recorded_words(decision: Decision, result: dict[str, Any]) -> Callable[[str], object]:
    """Each recorded sentence as the phrase today's rules make alike from the decision's stored
    facts and figures (item labels, the engine's reasons, the summary, the case-by-case
    sentences), else as recorded."""
    phrases: list[object] = list(rules.ITEM_KIND_LABELS.values())
    try:
        facts, policy = rules.parse_facts(decision.facts)
        assessment = rules.assess(facts, policy)
    except rules.FactsError:
        assessment = None
    if assessment is not None:
        phrases += [reason for tx in assessment.transactions for reason in tx.reasons]
        phrases += assessment.reasons
    lines = result["lines"]
    phrases.append(
        wording.summary_outcome(
            result["outcome"],
            result["claimed_total"],
            result["compensation_total"],
            len(lines),
            0,  # an approved decision has no open line
        )
    )
    phrases += [
        case_by_case_sentence(line["claimed"], line["rate"], line["compensation"])
        for line in lines
        if line["case_by_case"] and line["rate"] is not None
    ]
    return recorded_words(phrases)


def case_for_compensation(*, user: User, pk: int, action: str = VIEW) -> Case:
    """A case the user may see (or change), with the rows the rules read; 404 otherwise."""
    queryset = (
        Case.objects.restrict(user, action)
        .select_related("branch", "created_by", "assigned_to", "submitted_by")
        .prefetch_related(
            Prefetch("items", queryset=ReportedItem.objects.order_by("position", "pk")),
            Prefetch(
                "transactions", queryset=UnauthorizedTransaction.objects.select_related("item")
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def decision_get(*, user: User, case_pk: int, pk: int) -> Decision:
    """One decision of a case the user may see; 404 otherwise."""
    queryset = Decision.objects.restrict(user, VIEW).select_related(
        "case", "case__branch", "prepared_by", "reviewed_by", "policy", "supersedes"
    )
    return get_object_or_404(queryset, case_id=case_pk, pk=pk)
