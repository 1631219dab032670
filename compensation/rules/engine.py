"""The compensation rules (docs/domain.md §4), in the order of docs/assessment-contract.md §6."""

from __future__ import annotations

import datetime

from compensation.rules import wording as w
from compensation.rules.model import (
    RATE_FIELDS,
    Assessment,
    Facts,
    FactsError,
    Item,
    ItemResult,
    Policy,
    TransactionResult,
)
from compensation.rules.vocab import (
    CARD_KINDS,
    CHECKLIST_CODES,
    CUSTOMER_TYPES,
    EXCLUDED_TAKERS,
    FAULTS,
    ITEM_KIND_LABELS,
    ITEM_KINDS,
    LOST_KINDS,
    MAX_DAYS,
    MAX_YEN,
    OUTSIDE_ACT_KINDS,
    PASSBOOK_KINDS,
    RULES_VERSION,
    TAKEN_BY_VALUES,
    UNLIMITED_KINDS,
)

DEFAULT_POLICY = Policy()
_CHECKLIST_SET = frozenset(CHECKLIST_CODES)

# (suggested fault, the checklist codes behind it, the words for "because of that fault")
_Suggestion = tuple[str | None, tuple[str, ...], str]
_GENERIC_BECAUSE = {
    "none": "",
    "negligence": w.fault_because("negligence", ()),
    "gross_negligence": w.fault_because("gross_negligence", ()),
    "intent": "",
}


def _suggest_card(checklist: frozenset[str], n3_requires_bank_request: bool) -> _Suggestion:
    """Suggest a fault for a cash card from the checklist (G1-G4, N1-N4)."""
    helper = "care_helper_exception" in checklist
    codes: list[str] = []
    clauses: list[str] = []
    if "pin_told_to_someone" in checklist and not helper:
        codes.append("pin_told_to_someone")
        clauses.append(w.CLAUSES["G1"])
    if "pin_written_on_card" in checklist:
        codes.append("pin_written_on_card")
        clauses.append(w.CLAUSES["G2"])
    if "card_handed_to_someone" in checklist and not helper:
        codes.append("card_handed_to_someone")
        clauses.append(w.CLAUSES["G3"])
    if "comparable_gross" in checklist:
        codes.append("comparable_gross")
        clauses.append(w.CLAUSES["G4"])
    if codes:
        return "gross_negligence", tuple(codes), w.fault_because("gross_negligence", tuple(clauses))

    guessable = "pin_guessable" in checklist
    requested = "bank_requested_pin_change" in checklist
    if guessable and requested and "card_kept_with_id_documents" in checklist:
        codes += ["pin_guessable", "bank_requested_pin_change", "card_kept_with_id_documents"]
        clauses.append(w.CLAUSES["N1"])
    if "pin_memo_with_card" in checklist:
        codes.append("pin_memo_with_card")
        clauses.append(w.CLAUSES["N2"])
    pin_lapse = None
    if guessable and (requested or not n3_requires_bank_request):
        pin_lapse = "pin_guessable"
    elif "pin_reused_elsewhere" in checklist:
        pin_lapse = "pin_reused_elsewhere"
    card_lapse = None
    if "card_left_unattended" in checklist:
        card_lapse = "card_left_unattended"
    elif "intoxicated" in checklist:
        card_lapse = "intoxicated"
    if pin_lapse and card_lapse:
        n3_codes = [pin_lapse, card_lapse]
        if pin_lapse == "pin_guessable" and n3_requires_bank_request:
            n3_codes.append("bank_requested_pin_change")
        codes += [code for code in n3_codes if code not in codes]
        clauses.append(w.n3_clause(pin_lapse, card_lapse))
    if "comparable_negligence" in checklist:
        codes.append("comparable_negligence")
        clauses.append(w.CLAUSES["N4"])
    if codes:
        return "negligence", tuple(codes), w.fault_because("negligence", tuple(clauses))
    return "none", (), ""


_PASSBOOK_GROSS = (
    ("passbook_handed_to_someone", "PG1"),
    ("stamped_slip_handed_to_someone", "PG2"),
    ("comparable_gross", "PG3"),
)
_PASSBOOK_NEGLIGENCE = (
    ("passbook_left_unattended", "PN1"),
    ("stamped_slips_kept_with_passbook", "PN2"),
    ("seal_kept_with_passbook", "PN3"),
    ("comparable_negligence", "PN4"),
)


def _suggest_passbook(checklist: frozenset[str]) -> _Suggestion:
    """Suggest a fault for a passbook from the checklist (P-G1-3, P-N1-4)."""
    for fault, table in (
        ("gross_negligence", _PASSBOOK_GROSS),
        ("negligence", _PASSBOOK_NEGLIGENCE),
    ):
        found = [(code, key) for code, key in table if code in checklist]
        if found:
            clauses = tuple(w.CLAUSES[key] for _, key in found)
            return fault, tuple(code for code, _ in found), w.fault_because(fault, clauses)
    return "none", (), ""


_suggestion_cache: dict[tuple[str, frozenset[str], bool], _Suggestion] = {}


def _suggest(kind: str, checklist: frozenset[str], n3_requires_bank_request: bool) -> _Suggestion:
    """Suggest a fault with the checklist codes behind it and their wording (memoised)."""
    key = (kind, checklist, n3_requires_bank_request)
    found = _suggestion_cache.get(key)
    if found is not None:
        return found
    if kind in CARD_KINDS:
        found = _suggest_card(checklist, n3_requires_bank_request)
    elif kind in PASSBOOK_KINDS:
        found = _suggest_passbook(checklist)
    else:
        found = (None, (), "")
    if len(_suggestion_cache) > 4096:
        _suggestion_cache.clear()
    _suggestion_cache[key] = found
    return found


def suggest_fault(
    kind: str, checklist: frozenset[str], policy: Policy = DEFAULT_POLICY
) -> str | None:
    """Suggest the fault level the checklist points to for an item kind; None for online banking."""
    if kind not in ITEM_KINDS:
        raise FactsError([f"kind: must be one of {', '.join(ITEM_KINDS)}"])
    return _suggest(kind, frozenset(checklist), policy.n3_requires_bank_request)[0]


def two_years_after(day: datetime.date) -> datetime.date:
    """The same calendar day two years later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 2)
    except ValueError:
        return day.replace(year=day.year + 2, day=28)


def has_limits(kind: str) -> bool:
    """Whether the 30-day window and the two-year limit apply to an item of this kind."""
    return kind not in UNLIMITED_KINDS


def no_limit_reason(kind: str) -> str | None:
    """Why an item of this kind has neither the window nor the two-year limit; None if it has."""
    return w.NO_LIMIT.get(kind) if not has_limits(kind) else None


def fault_decides(kind: str) -> bool:
    """Whether a finding of fault can change the assessment of an item of this kind (not for a
    kind outside the Act, which rule 0 refuses whatever the facts)."""
    return kind not in OUTSIDE_ACT_KINDS


class _ItemState:
    """What the rules work out once per item and reuse for each of its transactions."""

    __slots__ = ("because", "fault", "kind", "limit_phrase", "result")

    def __init__(
        self, kind: str, fault: str, because: str, limit_phrase: str, result: ItemResult
    ) -> None:
        """Keep the item's derived facts."""
        self.kind = kind
        self.fault = fault
        self.because = because
        self.limit_phrase = limit_phrase
        self.result = result


def _policy_rate(policy: Policy, kind: str, fault: str) -> int | None:
    """The policy's rate for an item kind and a fault other than none."""
    if kind == "online_banking":
        if fault == "gross_negligence":
            return policy.online_banking_gross_negligence_rate
        return policy.online_banking_negligence_rate
    if kind in PASSBOOK_KINDS:
        return policy.passbook_negligence_rate
    return policy.stolen_card_negligence_rate


def _check_case(facts: Facts, policy: Policy) -> None:
    """Refuse case-wide values outside the contract (Facts built in Python skip parse_facts)."""
    problems = []
    if not 1 <= policy.window_days <= MAX_DAYS:
        problems.append(f"policy.window_days: must be a whole number of days from 1 to {MAX_DAYS}")
    rates = (
        policy.stolen_card_negligence_rate,
        policy.passbook_negligence_rate,
        policy.online_banking_negligence_rate,
        policy.online_banking_gross_negligence_rate,
    )
    for name, value in zip(RATE_FIELDS, rates, strict=True):
        if value is not None and not 0 <= value <= 100:
            problems.append(f"policy.{name}: must be a whole percentage from 0 to 100, or None")
    if facts.customer_type not in CUSTOMER_TYPES:
        problems.append(f"customer_type: must be one of {', '.join(CUSTOMER_TYPES)}")
    if facts.taken_by is not None and facts.taken_by not in TAKEN_BY_VALUES:
        problems.append(f"taken_by: must be one of {', '.join(TAKEN_BY_VALUES)}, or None")
    if not facts.checklist <= _CHECKLIST_SET:
        unknown = ", ".join(sorted(str(code) for code in facts.checklist - _CHECKLIST_SET))
        problems.append(f"checklist: unknown checklist codes {unknown}")
    if not 0 <= facts.unavoidable_days <= MAX_DAYS:
        problems.append(f"unavoidable_days: must be a whole number of days from 0 to {MAX_DAYS}")
    if problems:
        raise FactsError(problems)


def _item_states(facts: Facts, policy: Policy) -> dict[str, _ItemState]:
    """Work out each item's fault and two-year limit, in input order."""
    _check_case(facts, policy)
    first_dates: dict[str, datetime.date] = {}
    states: dict[str, _ItemState] = {}
    items: dict[str, Item] = {}
    for index, item in enumerate(facts.items):
        if item.id in items:
            raise FactsError([f"items[{index}].id: duplicate item id"])
        if item.kind not in ITEM_KINDS:
            raise FactsError([f"items[{index}].kind: must be one of {', '.join(ITEM_KINDS)}"])
        if item.fault is not None and item.fault not in FAULTS:
            raise FactsError([f"items[{index}].fault: must be one of {', '.join(FAULTS)}"])
        items[item.id] = item
    for index, tx in enumerate(facts.transactions):
        if tx.item not in items:
            raise FactsError([f"transactions[{index}].item: no item with this id"])
        if not (
            0 <= tx.amount <= MAX_YEN and 0 <= tx.fee <= MAX_YEN and 0 <= tx.interest <= MAX_YEN
        ):
            raise FactsError(
                [f"transactions[{index}]: amounts must be whole yen from 0 to {MAX_YEN}"]
            )
        first = first_dates.get(tx.item)
        if first is None or tx.date < first:
            first_dates[tx.item] = tx.date

    notified_on = facts.notified_on
    n3_flag = policy.n3_requires_bank_request
    for item_id, item in items.items():
        kind = item.kind
        suggested, codes, because = _suggest(kind, facts.checklist, n3_flag)
        fault = item.fault
        if fault is None:
            fault = suggested or "none"
        elif fault != suggested:
            because = _GENERIC_BECAUSE[fault]  # a confirmed fault the checklist does not show
        limit_phrase = ""  # empty while the two-year limit is kept
        if has_limits(kind):
            base = item.occurred_on or first_dates.get(item_id)
            if base is not None:
                end = two_years_after(base)
                if notified_on > end:
                    limit_phrase = w.after_limit(kind, item.occurred_on is not None, base, end)
        states[item_id] = _ItemState(
            kind, fault, because, limit_phrase, ItemResult(item_id, suggested, fault, codes)
        )
    return states


_Window = tuple[datetime.date, str, str, str]
_window_cache: dict[tuple[datetime.date, int, int], _Window] = {}


def _window(notified_on: datetime.date, window_days: int, unavoidable_days: int) -> _Window:
    """The window's first day and its wording (memoised: many cases share a notice day)."""
    key = (notified_on, window_days, unavoidable_days)
    found = _window_cache.get(key)
    if found is None:
        start = notified_on - datetime.timedelta(days=window_days + unavoidable_days)
        phrase = w.window_limit(notified_on, window_days, unavoidable_days)
        before = w.before_window(phrase)
        found = (start, before, w.not_covered(before), w.summary_window(phrase))
        if len(_window_cache) > 4096:
            _window_cache.clear()
        _window_cache[key] = found
    return found


def window_first_day(
    notified_on: datetime.date, policy: Policy = DEFAULT_POLICY, unavoidable_days: int = 0
) -> datetime.date:
    """The first day of the compensation window: transactions before it are not covered."""
    return _window(notified_on, policy.window_days, unavoidable_days)[0]


def assess(facts: Facts, policy: Policy = DEFAULT_POLICY) -> Assessment:
    """Assess a case: decide each transaction, total them, and say why."""
    states = _item_states(facts, policy)
    notified_on = facts.notified_on
    window_start, before_window, before_window_refusal, window_summary = _window(
        notified_on, policy.window_days, facts.unavoidable_days
    )
    # The window is shown unless every transaction (or, with none, every item) is counterfeit or
    # the customer's own transfer.
    if facts.transactions:
        window_applies = False
        counterfeit_seen = any(
            states[tx.item].kind == "counterfeit_card" for tx in facts.transactions
        )
    else:
        window_applies = not facts.items or any(
            s.kind not in UNLIMITED_KINDS for s in states.values()
        )
        counterfeit_seen = any(s.kind == "counterfeit_card" for s in states.values())

    corporate = facts.customer_type == "corporate"
    bank_at_fault = facts.bank_at_fault
    requirements = facts.requirements
    taken_by = facts.taken_by if facts.taken_by in EXCLUDED_TAKERS else None
    false_explanation = facts.false_explanation
    war = facts.war_or_riot

    results: list[TransactionResult] = []
    claimed_total = 0
    compensation_total = 0
    pending = review = 0
    for tx in facts.transactions:
        state = states[tx.item]
        kind = state.kind
        fault = state.fault
        claimed = tx.amount + tx.fee + tx.interest
        claimed_total += claimed

        if not has_limits(kind):
            early = late = False
        else:
            window_applies = True
            early = tx.date < window_start
            late = bool(state.limit_phrase)
        covered = not (early or late)

        rate: int | None
        status = "decided"
        if kind in OUTSIDE_ACT_KINDS:
            # Outside the Act whoever the customer is: said in words, with the Remedy Act.
            covered = False
            rate, reasons = 0, [w.CUSTOMER_TRANSFER]
        elif corporate or kind in LOST_KINDS:
            status = "review"
            rate = None
            reasons = [w.CORPORATE if corporate else w.LOST[kind]]
            if early:
                reasons.append(w.review_note(before_window))
            if late:
                reasons.append(w.review_note(state.limit_phrase))
        elif kind == "counterfeit_card":
            if fault == "intent":
                rate, reasons = 0, [w.COUNTERFEIT_INTENT]
            elif fault == "gross_negligence" and not bank_at_fault:
                rate, reasons = 0, [w.counterfeit_gross_refused(state.because)]
            else:
                rate, reasons = 100, [w.counterfeit_paid(claimed, fault, bank_at_fault)]
        elif not covered:
            rate = 0
            reasons = [before_window_refusal] if early else []
            if late:
                reasons.append(w.not_covered(state.limit_phrase))
        elif fault == "intent":
            rate, reasons = 0, [w.INTENT]
        elif war:
            rate, reasons = 0, [w.WAR]
        elif not bank_at_fault and fault == "gross_negligence" and kind != "online_banking":
            rate, reasons = 0, [w.gross_refused(state.because)]
        elif not bank_at_fault and taken_by is not None:
            rate, reasons = 0, [w.taken_by(taken_by)]
        elif not bank_at_fault and false_explanation:
            rate, reasons = 0, [w.FALSE_EXPLANATION]
        elif not requirements.prompt_notice:
            rate, reasons = 0, [w.NOT_PROMPT]
        elif not (requirements.police_report and requirements.explanation):
            status = "pending"
            rate = None
            reasons = []
            if not requirements.police_report:
                reasons.append(
                    w.NO_POLICE_EXPLANATION if kind == "online_banking" else w.NO_POLICE_REPORT
                )
            if not requirements.explanation:
                reasons.append(w.NO_EXPLANATION)
        elif bank_at_fault:
            rate = 100
            lifted = []
            if fault != "none":
                lifted.append(w.lifted_fault(fault))
            if taken_by is not None:
                lifted.append(w.lifted_taken_by(taken_by))
            if false_explanation:
                lifted.append(w.LIFTED_FALSE_EXPLANATION)
            reasons = [w.bank_at_fault_paid(claimed, lifted)]
        elif fault == "none":
            rate, reasons = 100, [w.no_fault_paid(claimed)]
        else:
            rate = _policy_rate(policy, kind, fault)
            if rate is None:
                status = "review"
                reasons = [w.rate_review(state.because)]
            else:
                reasons = [w.rate_paid(state.because, rate, claimed, claimed * rate // 100)]

        compensation: int | None = None
        if rate is not None and status == "decided":
            compensation = claimed * rate // 100
            compensation_total += compensation
        else:
            if status == "pending":
                pending += 1
            else:
                review += 1
        results.append(
            TransactionResult(tx.id, covered, rate, claimed, compensation, tuple(reasons), status)
        )

    if pending:
        outcome = "pending"
    elif review:
        outcome = "review"
    elif compensation_total == 0:
        outcome = "none"
    elif compensation_total == claimed_total:
        outcome = "full"
    else:
        outcome = "partial"
    total = None if pending or review else compensation_total

    summary = []
    if window_applies:
        summary.append(window_summary)
    elif counterfeit_seen:
        summary.append(w.NO_WINDOW)
    if any(state.kind == "customer_transfer" for state in states.values()):
        summary.append(w.REMEDY_ACT)
    for state in states.values():
        if state.limit_phrase:
            summary.append(w.summary_limit(ITEM_KIND_LABELS[state.kind], state.limit_phrase))
    summary.append(
        w.summary_outcome(outcome, claimed_total, total, len(results), pending or review)
    )
    return Assessment(
        outcome,
        window_start if window_applies else None,
        claimed_total,
        total,
        tuple(state.result for state in states.values()),
        tuple(results),
        tuple(summary),
        RULES_VERSION,
    )
