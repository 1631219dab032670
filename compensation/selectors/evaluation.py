"""A case assessed from its current facts by the rules engine, with the supervisor's findings."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from compensation import rules
from compensation.choices import Fault, LineStatus, Outcome
from compensation.models import CaseAssessment, CaseByCaseRate, ItemFault, PolicyVersion
from compensation.rules import wording
from compensation.rules.vocab import Phrase
from compensation.selectors.findings import case_findings
from compensation.selectors.policy import case_policy_version, policy_from_version
from compensation.selectors.wording import case_by_case_words
from incidents.cases.services.timeline import bank_language
from incidents.models import Case, ReportedItem, UnauthorizedTransaction
from incidents.models.choices import PoliceStatus

LIMIT_BASE_LABELS = {
    "stolen_card": _lazy("盗難日"),
    "stolen_passbook": _lazy("盗難日"),
    "lost_card": _lazy("紛失日"),
    "lost_passbook": _lazy("紛失日"),
    "online_banking": _lazy("ID・パスワード等が盗まれた日"),
}


# --- A case's facts ---------------------------------------------------------------------------


def item_ref(item_id: int) -> str:
    """The id of a reported item in the engine's facts."""
    return f"i{item_id}"


def transaction_ref(transaction_id: int) -> str:
    """The id of an unauthorized transaction in the engine's facts."""
    return f"t{transaction_id}"


@dataclass
class CaseFacts:
    """A case as the engine sees it, with the rows each engine id stands for."""

    facts: rules.Facts
    items: dict[str, ReportedItem]
    transactions: dict[str, UnauthorizedTransaction]
    assessment: CaseAssessment | None
    faults: dict[int, ItemFault]
    rates: dict[int, CaseByCaseRate]
    problems: list[str] = field(default_factory=list)


def rules_kind_of(item: ReportedItem) -> str:
    """The engine's kind of an item of ``CaseFacts`` (which keeps only the items that have one,
    and only the transactions of those)."""
    kind = item.rules_kind
    if kind is None:
        raise ValueError(f"reported item {item.pk} has no kind in the compensation rules")
    return kind


def case_facts(case: Case) -> CaseFacts:
    """Map a case (teller's record plus the supervisor's findings) to the engine's Facts."""
    assessment, faults, rates = case_findings(case)
    known = assessment or CaseAssessment(case=case)
    items: dict[str, ReportedItem] = {}
    engine_items = []
    for item in case.items.all():
        kind = item.rules_kind
        if kind is None:
            continue  # seals and identity documents cannot be used to take money by themselves
        ref = item_ref(item.pk)
        items[ref] = item
        confirmed = faults.get(item.pk)
        engine_items.append(
            rules.Item(ref, kind, item.occurred_on, confirmed.fault if confirmed else None)
        )
    transactions: dict[str, UnauthorizedTransaction] = {}
    engine_transactions = []
    problems = []
    for tx in case.transactions.all():
        ref = transaction_ref(tx.pk)
        if item_ref(tx.item_id) not in items:
            problems.append(
                _("%(tx)s（%(date)s）は補償の対象となる届出対象に紐付いていません。")
                % {"tx": tx, "date": timezone.localtime(tx.occurred_at).strftime("%Y/%m/%d")}
            )
            continue
        transactions[ref] = tx
        engine_transactions.append(
            rules.Transaction(
                ref,
                item_ref(tx.item_id),
                timezone.localdate(tx.occurred_at),
                tx.amount,
                tx.fee,
                tx.interest,
            )
        )
    checklist = frozenset(code for code in case.checklist if code in rules.CHECKLIST_CODES)
    facts = rules.Facts(
        notified_on=case.notified_on,
        items=tuple(engine_items),
        transactions=tuple(engine_transactions),
        customer_type=case.customer_type,
        requirements=rules.Requirements(
            prompt_notice=known.prompt_notice,
            explanation=known.explanation,
            police_report=case.police_status == PoliceStatus.FILED or known.other_theft_evidence,
        ),
        checklist=checklist,
        bank_at_fault=known.bank_at_fault,
        taken_by=known.taken_by or None,
        false_explanation=known.false_explanation,
        war_or_riot=known.war_or_riot,
        unavoidable_days=known.unavoidable_days,
    )
    return CaseFacts(facts, items, transactions, assessment, faults, rates, problems)


# --- Evaluation: the engine's result with the supervisor's case-by-case rates ------------------


@dataclass
class ItemView:
    """One item as the panel shows it: suggestion beside confirmation, and its 2-year limit."""

    item: ReportedItem
    ref: str
    kind: str
    suggested: str | None
    grounds: list[str]
    applied: str
    confirmed: ItemFault | None
    limit_base: datetime.date | None
    limit_base_label: str
    limit_end: datetime.date | None
    in_time: bool
    needs_reconfirmation: bool
    # Why the item has no window and no two-year limit (the rules' words); None when it has them.
    no_limit_reason: str | None = None
    # False for an item whose outcome no finding of fault can change (the rules decide it alone).
    needs_finding: bool = True

    @property
    def suggested_label(self) -> str:
        return str(Fault(self.suggested).label) if self.suggested else _("判定なし（個別に判断）")

    @property
    def applied_label(self) -> str:
        return str(Fault(self.applied).label)

    @property
    def kind_label(self) -> str:
        return rules.ITEM_KIND_LABELS[self.kind]


@dataclass
class Line:
    """One transaction's assessment: the engine's answer, and the supervisor's rate when asked."""

    tx: UnauthorizedTransaction
    ref: str
    result: rules.TransactionResult
    rate_record: CaseByCaseRate | None
    rate: int | None
    compensation: int | None
    status: str
    reasons: list[str]

    @property
    def date(self) -> datetime.date:
        return timezone.localdate(self.tx.occurred_at)

    @property
    def is_case_by_case(self) -> bool:
        return self.result.status == LineStatus.REVIEW

    @property
    def id(self) -> str:
        return self.ref

    @property
    def channel_label(self) -> str:
        return self.tx.get_channel_display()

    @property
    def item_label(self) -> str:
        return rules.ITEM_KIND_LABELS[rules_kind_of(self.tx.item)]

    @property
    def claimed(self) -> int:
        return self.result.claimed

    @property
    def covered(self) -> bool:
        return self.result.covered

    @property
    def rate_reason(self) -> str:
        return self.rate_record.reason if self.rate_record and self.is_case_by_case else ""

    @property
    def status_label(self) -> str:
        return str(LineStatus(self.status).label)


@dataclass
class Evaluation:
    """Everything the rules say about a case now, ready for the panel and for a decision."""

    case: Case
    case_facts: CaseFacts
    policy_version: PolicyVersion | None
    policy: rules.Policy
    assessment: rules.Assessment
    snapshot: dict[str, Any]
    engine: dict[str, Any]
    items: list[ItemView]
    lines: list[Line]
    outcome: str
    claimed_total: int
    compensation_total: int | None
    reasons: list[str]

    @property
    def window_start(self) -> datetime.date | None:
        return self.assessment.window_start

    @property
    def problems(self) -> list[str]:
        return self.case_facts.problems

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def is_estimate(self) -> bool:
        """Before a supervisor has confirmed the facts (a finding on every item that needs one,
        none to be confirmed again) the assessment is an estimate (見込み), never a promise."""
        return not self.items or any(
            view.confirmed is None or view.needs_reconfirmation
            for view in self.items
            if view.needs_finding
        )

    @property
    def no_window_reasons(self) -> list[str]:
        """Why there is no window (when there is none): the rules' reason for each kind of the
        transactions (of the items, with none), in order, once each."""
        kinds = [rules_kind_of(line.tx.item) for line in self.lines] or [
            view.kind for view in self.items
        ]
        reasons = [rules.no_limit_reason(kind) for kind in dict.fromkeys(kinds)]
        return [reason for reason in reasons if reason is not None]

    @property
    def is_open(self) -> bool:
        return self.outcome in (Outcome.PENDING, Outcome.REVIEW)

    def case_by_case(self) -> list[dict[str, Any]]:
        """The supervisor's rates for the lines the rules leave to be decided case by case."""
        return [
            {
                "transaction": line.ref,
                "rate": line.rate,
                "compensation": line.compensation,
                "reason": line.rate_record.reason,
                "set_by": line.rate_record.set_by.username,
                "set_at": timezone.localtime(line.rate_record.set_at).isoformat(),
            }
            for line in self.lines
            if line.is_case_by_case and line.rate_record is not None
        ]

    @property
    def fingerprint(self) -> str:
        """A digest of exactly what an approval would store: facts, policy and case-by-case rates."""
        rates = [
            {key: entry[key] for key in ("transaction", "rate", "reason")}
            for entry in self.case_by_case()
        ]
        text = json.dumps(
            {"facts": self.snapshot, "rates": rates, "rules": self.assessment.rules_version},
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def result_document(self) -> dict[str, Any]:
        """What an approved decision stores as its result (the engine's output kept exact)."""
        return {
            "assessment": self.engine,
            "case_by_case": self.case_by_case(),
            "outcome": self.outcome,
            "claimed_total": self.claimed_total,
            "compensation_total": self.compensation_total,
            "reasons": list(self.reasons),
            "lines": [
                {
                    "id": line.ref,
                    "date": line.date.isoformat(),
                    "occurred_at": timezone.localtime(line.tx.occurred_at).isoformat(),
                    "channel": line.tx.channel,
                    "channel_label": line.tx.get_channel_display(),
                    "item": rules.ITEM_KIND_LABELS[rules_kind_of(line.tx.item)],
                    "amount": line.tx.amount,
                    "fee": line.tx.fee,
                    "interest": line.tx.interest,
                    "claimed": line.result.claimed,
                    "covered": line.result.covered,
                    "rate": line.rate,
                    "compensation": line.compensation,
                    "case_by_case": line.is_case_by_case,
                    "reasons": list(line.reasons),
                }
                for line in self.lines
            ],
        }


def case_by_case_sentence(claimed: int, rate: int, compensation: int) -> str:
    """The customer's sentence for a rate a supervisor decided case by case: a Phrase in the
    bank's language, like the engine's (``staff_words`` says it in the reader's)."""
    with bank_language():
        text = case_by_case_words(claimed, rate, compensation)
    return Phrase(text, "case_by_case", claimed, rate, compensation)


def _item_views(facts: CaseFacts, assessment: rules.Assessment) -> list[ItemView]:
    notified_on = facts.facts.notified_on
    first: dict[str, datetime.date] = {}
    for tx in facts.facts.transactions:
        if tx.item not in first or tx.date < first[tx.item]:
            first[tx.item] = tx.date
    views = []
    results = {result.id: result for result in assessment.items}
    for ref, item in facts.items.items():
        result = results[ref]
        kind = rules_kind_of(item)
        base = item.occurred_on or first.get(ref)
        end = rules.two_years_after(base) if base and rules.has_limits(kind) else None
        if item.occurred_on:
            # A kind without the two-year limit shows its date as what it is.
            base_label = str(LIMIT_BASE_LABELS.get(kind, _lazy("発生日")))
        else:
            base_label = _("最初の不正なお取引の日")
        confirmed = facts.faults.get(item.pk)
        suggested = result.suggested_fault
        needs_finding = rules.fault_decides(kind)
        stale = (
            needs_finding
            and confirmed is not None
            and confirmed.fault != (suggested or "")
            and (confirmed.suggested_fault or None) != suggested
        )
        views.append(
            ItemView(
                item=item,
                ref=ref,
                kind=kind,
                suggested=suggested,
                grounds=[rules.CHECKLIST_LABELS[code] for code in result.grounds],
                applied=result.fault,
                confirmed=confirmed,
                limit_base=base,
                limit_base_label=base_label,
                limit_end=end,
                in_time=end is None or notified_on <= end,
                needs_reconfirmation=stale,
                no_limit_reason=rules.no_limit_reason(kind),
                needs_finding=needs_finding,
            )
        )
    return views


def case_evaluate(case: Case) -> Evaluation:
    """Assess a case from its current facts, adding the supervisor's case-by-case rates."""
    facts = case_facts(case)
    version = case_policy_version(case)
    policy = policy_from_version(version)
    assessment = rules.assess(facts.facts, policy)
    lines = []
    claimed_total = 0
    decided_total = 0
    open_statuses = set()
    for result in assessment.transactions:
        tx = facts.transactions[result.id]
        record = facts.rates.get(tx.pk)
        rate, compensation, status = result.rate, result.compensation, result.status
        reasons = list(result.reasons)
        if result.status == LineStatus.REVIEW and record is not None:
            rate = record.rate
            compensation = result.claimed * rate // 100
            status = LineStatus.DECIDED
            reasons.append(case_by_case_sentence(result.claimed, rate, compensation))
        claimed_total += result.claimed
        if status == LineStatus.DECIDED:
            decided_total += compensation or 0
        else:
            open_statuses.add(status)
        lines.append(Line(tx, result.id, result, record, rate, compensation, status, reasons))
    if LineStatus.PENDING in open_statuses:
        outcome = Outcome.PENDING
    elif LineStatus.REVIEW in open_statuses:
        outcome = Outcome.REVIEW
    elif decided_total == 0:
        outcome = Outcome.NONE
    elif decided_total == claimed_total:
        outcome = Outcome.FULL
    else:
        outcome = Outcome.PARTIAL
    total = None if open_statuses else decided_total
    open_count = sum(1 for line in lines if line.status != LineStatus.DECIDED)
    reasons = [
        *assessment.reasons[:-1],
        wording.summary_outcome(str(outcome), claimed_total, total, len(lines), open_count),
    ]
    return Evaluation(
        case=case,
        case_facts=facts,
        policy_version=version,
        policy=policy,
        assessment=assessment,
        snapshot=rules.facts_to_dict(facts.facts, policy),
        engine=rules.assessment_to_dict(assessment),
        items=_item_views(facts, assessment),
        lines=lines,
        outcome=str(outcome),
        claimed_total=claimed_total,
        compensation_total=total,
        reasons=reasons,
    )


def evaluation_approval_problems(evaluation: Evaluation) -> list[str]:
    """Why the current assessment cannot be approved yet, in a supervisor's words; empty if it can."""
    problems = list(evaluation.problems)
    for view in evaluation.items:
        if not view.needs_finding:
            continue  # the rules decide it whatever the fault: nothing for a supervisor to find
        if view.confirmed is None:
            problems.append(
                _("%(item)sの過失を認定してください（チェックリストの判定：%(suggested)s）。")
                % {"item": view.item, "suggested": view.suggested_label}
            )
        elif view.needs_reconfirmation:
            problems.append(
                _("状況確認の内容が変わりました。%(item)sの過失を認定し直してください。")
                % {"item": view.item}
            )
    for line in evaluation.lines:
        if line.status == LineStatus.PENDING:
            problems.append(
                _("%(tx)s（%(date)s）は判断を保留しています：%(reason)s")
                % {
                    "tx": line.tx,
                    "date": line.date.strftime("%Y/%m/%d"),
                    "reason": " ".join(line.result.reasons),
                }
            )
        elif line.status == LineStatus.REVIEW:
            problems.append(
                _("%(tx)s（%(date)s）は個別判断です。補償率と理由を入力してください。")
                % {"tx": line.tx, "date": line.date.strftime("%Y/%m/%d")}
            )
    return problems
