"""Reads for compensation: the policy in force, a case's facts for the engine, and its evaluation."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from compensation import rules
from compensation.choices import DecisionStatus, Fault, LineStatus, Outcome
from compensation.models import CaseAssessment, CaseByCaseRate, Decision, ItemFault, PolicyVersion
from compensation.rules import wording
from incidents.access.predicates import is_branch_staff_of
from incidents.models import Case, ReportedItem, UnauthorizedTransaction, User
from incidents.models.choices import CaseStatus, PoliceStatus, Role
from incidents.models.querysets import VIEW

# Case states in which the supervisor's findings can still change (a decision is not final yet).
# Findings may be recorded until the compensation is paid: after an approval they prepare a
# change (the approved decision keeps its own snapshot); under review, see findings_save.
FINDINGS_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.INVESTIGATING,
    CaseStatus.IN_REVIEW,
    CaseStatus.DECIDED,
)
SUBMIT_STATUSES = (CaseStatus.REPORTED, CaseStatus.INVESTIGATING, CaseStatus.DECIDED)
LIMIT_BASE_LABELS = {
    "stolen_card": _lazy("盗難日"),
    "stolen_passbook": _lazy("盗難日"),
    "lost_card": _lazy("紛失日"),
    "lost_passbook": _lazy("紛失日"),
    "online_banking": _lazy("ID・パスワード等が盗まれた日"),
}


# --- Policy parameters -------------------------------------------------------------------------


def policy_version_in_force(*, on: datetime.date) -> PolicyVersion | None:
    """The policy version that applies to a case notified on ``on`` (the earliest before any)."""
    found = PolicyVersion.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if found is None:
        found = PolicyVersion.objects.order_by("valid_from").first()
    return found


def policy_from_version(version: PolicyVersion | None) -> rules.Policy:
    """The engine's Policy for a stored version; the contract's defaults when there is none."""
    if version is None:
        return rules.Policy()
    return rules.Policy(
        window_days=version.window_days,
        stolen_card_negligence_rate=version.stolen_card_negligence_rate,
        passbook_negligence_rate=version.passbook_negligence_rate,
        online_banking_negligence_rate=version.online_banking_negligence_rate,
        online_banking_gross_negligence_rate=version.online_banking_gross_negligence_rate,
        n3_requires_bank_request=version.n3_requires_bank_request,
    )


def policy_in_force(*, on: datetime.date) -> rules.Policy:
    """The engine's Policy in force for a case notified on ``on``."""
    return policy_from_version(policy_version_in_force(on=on))


def policy_version_is_used(version: PolicyVersion) -> bool:
    """Whether an approved decision applied this version (it is then frozen)."""
    if version.pk is None:
        return False
    return Decision.objects.filter(policy=version, status=DecisionStatus.APPROVED).exists()


def policy_earliest_new_valid_from() -> datetime.date | None:
    """The earliest day a new version may apply from: after every approved decision's notice day.

    A new version must not change how an already approved case would be assessed.
    """
    latest = Decision.objects.filter(status=DecisionStatus.APPROVED).aggregate(
        latest=Max("notified_on")
    )["latest"]
    return latest + datetime.timedelta(days=1) if latest else None


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


def case_findings(
    case: Case,
) -> tuple[CaseAssessment | None, dict[int, ItemFault], dict[int, CaseByCaseRate]]:
    """The supervisor's findings on a case: the case-wide facts, faults per item, rates per line."""
    assessment = CaseAssessment.objects.filter(case=case).first()
    faults = {
        fault.item_id: fault
        for fault in ItemFault.objects.filter(case=case).select_related("confirmed_by")
    }
    rates = {
        rate.transaction_id: rate
        for rate in CaseByCaseRate.objects.filter(case=case).select_related("set_by")
    }
    return assessment, faults, rates


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
        return rules.ITEM_KIND_LABELS[self.tx.item.rules_kind]

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
                    "item": rules.ITEM_KIND_LABELS[line.tx.item.rules_kind],
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
    """The customer's sentence for a rate a supervisor decided case by case."""
    if rate >= 100:
        return _("個別に検討した結果、被害額%(claimed)sの全額を補償します。") % {
            "claimed": wording.yen(claimed)
        }
    if rate <= 0:
        return _("個別に検討した結果、誠に恐縮ですが補償の対象外とさせていただきます。")
    return _(
        "個別に検討した結果、被害額%(claimed)sの%(rate)s％にあたる%(amount)sを補償します。"
    ) % {
        "claimed": wording.yen(claimed),
        "rate": rate,
        "amount": wording.yen(compensation),
    }


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
        kind = item.rules_kind
        base = item.occurred_on or first.get(ref)
        end = rules.two_years_after(base) if base and kind != "counterfeit_card" else None
        if item.occurred_on:
            # A counterfeit card has no two-year limit; its date is shown as what it is.
            base_label = str(LIMIT_BASE_LABELS.get(kind, _lazy("発生日")))
        else:
            base_label = _("最初の不正なお取引の日")
        confirmed = facts.faults.get(item.pk)
        suggested = result.suggested_fault
        stale = (
            confirmed is not None
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
            )
        )
    return views


def case_evaluate(case: Case) -> Evaluation:
    """Assess a case from its current facts, adding the supervisor's case-by-case rates."""
    facts = case_facts(case)
    version = policy_version_in_force(on=facts.facts.notified_on)
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
    channel_label: str
    item_label: str
    amount: int
    fee: int
    interest: int
    claimed: int
    covered: bool
    rate: int | None
    compensation: int | None
    is_case_by_case: bool
    reasons: list[str]
    rate_reason: str


@dataclass(frozen=True)
class StoredDecision:
    """An approved decision's result, read back from what was stored at approval."""

    lines: list[StoredLine]
    reasons: list[str]
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
    """The stored result of an approved decision in a shape templates can show; None otherwise."""
    result = decision.result
    if not result:
        return None
    rate_reasons = {entry["transaction"]: entry["reason"] for entry in result["case_by_case"]}
    lines = [
        StoredLine(
            id=line["id"],
            date=datetime.date.fromisoformat(line["date"]),
            occurred_at=datetime.datetime.fromisoformat(line["occurred_at"]),
            channel_label=line["channel_label"],
            item_label=line["item"],
            amount=line["amount"],
            fee=line["fee"],
            interest=line["interest"],
            claimed=line["claimed"],
            covered=line["covered"],
            rate=line["rate"],
            compensation=line["compensation"],
            is_case_by_case=line["case_by_case"],
            reasons=list(line["reasons"]),
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
        reasons=list(result["reasons"]),
        outcome=result["outcome"],
        claimed_total=result["claimed_total"],
        compensation_total=result["compensation_total"],
        window_start=datetime.date.fromisoformat(window) if window else None,
        rules_version=engine["rules_version"],
        faults=faults,
    )


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


# --- Who may do what ---------------------------------------------------------------------------


def branch_staff_of(user: User, case: Case) -> bool:
    """Teller or supervisor of the case's own branch (the one predicate, incidents.access)."""
    return is_branch_staff_of(user, case)


def can_record_findings(user: User, case: Case) -> bool:
    """A supervisor of the case's branch, until the compensation is paid."""
    return (
        user.role == Role.SUPERVISOR
        and case.status in FINDINGS_STATUSES
        and branch_staff_of(user, case)
    )


def can_prepare(user: User, case: Case) -> bool:
    """The case's teller or a supervisor of its branch; only a supervisor reopens a decision."""
    if case.status not in SUBMIT_STATUSES or not branch_staff_of(user, case):
        return False
    if user.role == Role.SUPERVISOR:
        return True
    return case.status != CaseStatus.DECIDED and user.pk in (
        case.created_by_id,
        case.assigned_to_id,
        case.submitted_by_id,
    )


def can_review(user: User, decision: Decision) -> bool:
    """A supervisor of the case's branch who did not prepare the decision (four eyes)."""
    return (
        user.role == Role.SUPERVISOR
        and decision.status == DecisionStatus.SUBMITTED
        and decision.case.status == CaseStatus.IN_REVIEW
        and user.pk != decision.prepared_by_id
        and branch_staff_of(user, decision.case)
    )


def can_mark_paid(user: User, case: Case, current: Decision | None) -> bool:
    """Branch staff, once an approved decision owes the customer something."""
    return (
        case.status == CaseStatus.DECIDED
        and current is not None
        and (current.compensation_total or 0) > 0
        and branch_staff_of(user, case)
    )


@dataclass
class Panel:
    """The compensation panel of a case page."""

    case: Case
    evaluation: Evaluation
    decisions: list[Decision]
    current: Decision | None
    open: Decision | None
    approval_problems: list[str]
    differs_from_current: bool
    may_record_findings: bool
    may_prepare: bool
    may_review: bool
    may_mark_paid: bool


def case_panel(*, case: Case, user: User) -> Panel:
    """Everything the compensation panel shows for a case, recomputed from the current facts."""
    evaluation = case_evaluate(case)
    decisions = case_decisions(case)
    for decision in decisions:
        decision.case = case  # avoid one query per decision in the permission checks
    current = decision_current(decisions)
    pending = decision_open(decisions)
    branch_staff = branch_staff_of(user, case)
    return Panel(
        case=case,
        evaluation=evaluation,
        decisions=decisions,
        current=current,
        open=pending,
        approval_problems=evaluation_approval_problems(evaluation),
        differs_from_current=current is not None and current.facts != evaluation.snapshot,
        may_record_findings=branch_staff and can_record_findings(user, case),
        may_prepare=branch_staff and pending is None and can_prepare(user, case),
        may_review=branch_staff and pending is not None and can_review(user, pending),
        may_mark_paid=branch_staff and can_mark_paid(user, case, current),
    )
