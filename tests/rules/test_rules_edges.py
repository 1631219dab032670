"""Hand-written edge cases of the compensation rules, beyond the worked scenarios."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from compensation.rules import (
    Facts,
    FactsError,
    Item,
    Policy,
    Requirements,
    Transaction,
    assess,
    suggest_fault,
)
from compensation.rules.engine import two_years_after

D = datetime.date
NOTIFIED = D(2026, 3, 31)
STOLEN_ON = D(2026, 3, 20)
USED_ON = D(2026, 3, 21)


def case(
    kind: str = "stolen_card",
    occurred_on: datetime.date | None = STOLEN_ON,
    fault: str | None = None,
    dates: tuple[datetime.date, ...] = (USED_ON,),
    amount: int = 200000,
    **fields: object,
) -> Facts:
    """One item with one transaction per date; other Facts fields by keyword."""
    item = Item("i1", kind, occurred_on, fault)
    transactions = tuple(
        Transaction(f"t{n}", "i1", day, amount) for n, day in enumerate(dates, start=1)
    )
    values: dict[str, object] = {"notified_on": NOTIFIED, "items": (item,)}
    values["transactions"] = transactions
    values.update(fields)
    return Facts(**values)  # type: ignore[arg-type]


def only(facts: Facts, policy: Policy = Policy()):  # noqa: B008
    """Assess and return the single transaction's result."""
    (result,) = assess(facts, policy).transactions
    return result


# --- the two-year limit ---------------------------------------------------------------------


def test_two_years_after_29_february_is_28_february() -> None:
    assert two_years_after(D(2024, 2, 29)) == D(2026, 2, 28)
    assert two_years_after(D(2025, 3, 1)) == D(2027, 3, 1)


def test_a_theft_on_29_february_notified_on_28_february_two_years_later_is_in_time() -> None:
    facts = case(occurred_on=D(2024, 2, 29), dates=(D(2026, 2, 20),), notified_on=D(2026, 2, 28))
    result = only(facts)
    assert result.covered is True
    assert result.rate == 100


def test_a_theft_on_29_february_notified_on_1_march_two_years_later_is_too_late() -> None:
    facts = case(occurred_on=D(2024, 2, 29), dates=(D(2026, 2, 20),), notified_on=D(2026, 3, 1))
    result = only(facts)
    assert result.covered is False
    assert result.compensation == 0
    assert "2026年2月28日" in result.reasons[0]


def test_notice_on_the_second_anniversary_is_in_time() -> None:
    result = only(case(occurred_on=D(2024, 3, 31), dates=(D(2026, 3, 25),)))
    assert result.covered is True
    assert result.compensation == 200000


def test_notice_the_day_after_the_second_anniversary_is_too_late() -> None:
    result = only(case(occurred_on=D(2024, 3, 30), dates=(D(2026, 3, 25),)))
    assert result.covered is False
    assert result.rate == 0
    assert "盗難日（2024年3月30日）" in result.reasons[0]


def test_an_unknown_theft_date_counts_from_the_items_first_transaction() -> None:
    late = case(occurred_on=None, dates=(D(2026, 3, 25), D(2024, 3, 30)))
    results = assess(late).transactions
    assert [r.covered for r in results] == [False, False]
    assert "最初の不正なお取引の日（2024年3月30日）" in results[0].reasons[0]

    in_time = case(occurred_on=None, dates=(D(2026, 3, 25), D(2024, 3, 31)))
    results = assess(in_time).transactions
    assert [r.covered for r in results] == [True, False]  # the old one is only outside the window
    assert results[0].compensation == 200000


def test_each_item_counts_its_own_first_transaction() -> None:
    old = Item("old", "stolen_card", None)
    new = Item("new", "stolen_passbook", None)
    facts = Facts(
        notified_on=NOTIFIED,
        items=(old, new),
        transactions=(
            Transaction("a", "old", D(2024, 1, 5), 1000),
            Transaction("b", "old", D(2026, 3, 20), 1000),
            Transaction("c", "new", D(2026, 3, 20), 1000),
        ),
    )
    covered = [r.covered for r in assess(facts).transactions]
    assert covered == [False, False, True]


# --- the window -----------------------------------------------------------------------------


def test_a_transaction_on_the_window_start_is_covered_and_the_day_before_is_not() -> None:
    facts = case(occurred_on=D(2026, 2, 1), dates=(D(2026, 3, 1), D(2026, 2, 28)))
    assessment = assess(facts)
    assert assessment.window_start == D(2026, 3, 1)
    assert [r.covered for r in assessment.transactions] == [True, False]
    assert assessment.outcome == "partial"


def test_the_policy_can_widen_the_window_to_60_days() -> None:
    facts = case(occurred_on=D(2026, 1, 20), dates=(D(2026, 2, 1),))
    assessment = assess(facts, Policy(window_days=60))
    assert assessment.window_start == D(2026, 1, 30)
    assert assessment.transactions[0].covered is True


def test_window_start_is_null_when_every_transaction_is_a_counterfeit_cards() -> None:
    assessment = assess(case(kind="counterfeit_card", occurred_on=None, dates=(D(2020, 1, 1),)))
    assert assessment.window_start is None
    assert assessment.transactions[0].covered is True
    assert assessment.outcome == "full"


def test_window_start_is_given_when_a_counterfeit_card_and_a_stolen_passbook_are_mixed() -> None:
    facts = Facts(
        notified_on=NOTIFIED,
        items=(Item("c", "counterfeit_card"), Item("p", "stolen_passbook", D(2026, 3, 1))),
        transactions=(
            Transaction("t1", "c", D(2025, 12, 1), 1000),
            Transaction("t2", "p", D(2026, 3, 2), 1000),
        ),
    )
    assessment = assess(facts)
    assert assessment.window_start == D(2026, 3, 1)
    assert [r.covered for r in assessment.transactions] == [True, True]


def test_a_case_without_transactions_is_none_with_a_reason() -> None:
    assessment = assess(Facts(notified_on=NOTIFIED, items=(Item("i1", "stolen_card"),)))
    assert assessment.outcome == "none"
    assert assessment.claimed_total == 0
    assert assessment.compensation_total == 0
    assert assessment.reasons


# --- fault suggestions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checklist", "expected"),
    [
        ({"pin_guessable", "card_left_unattended"}, "negligence"),
        ({"pin_guessable", "intoxicated"}, "negligence"),
        ({"pin_reused_elsewhere", "card_left_unattended"}, "negligence"),
        ({"pin_guessable"}, "none"),
        ({"card_left_unattended", "intoxicated"}, "none"),
    ],
)
def test_n3_needs_a_pin_lapse_and_a_card_lapse(checklist: set[str], expected: str) -> None:
    assert suggest_fault("stolen_card", frozenset(checklist), Policy()) == expected


def test_n3_with_a_guessable_pin_needs_the_banks_request_when_the_policy_says_so() -> None:
    strict = Policy(n3_requires_bank_request=True)
    lapses = frozenset({"pin_guessable", "card_left_unattended"})
    assert suggest_fault("stolen_card", lapses, Policy()) == "negligence"
    assert suggest_fault("stolen_card", lapses, strict) == "none"
    assert suggest_fault("stolen_card", lapses | {"bank_requested_pin_change"}, strict) == (
        "negligence"
    )
    reused = frozenset({"pin_reused_elsewhere", "intoxicated"})
    assert suggest_fault("stolen_card", reused, strict) == "negligence"


def test_n1_needs_a_guessable_pin_the_banks_requests_and_identity_documents() -> None:
    n1 = frozenset({"pin_guessable", "bank_requested_pin_change", "card_kept_with_id_documents"})
    assert suggest_fault("stolen_card", n1, Policy()) == "negligence"
    for missing in n1:
        assert suggest_fault("stolen_card", n1 - {missing}, Policy()) == "none"


def test_the_care_helper_exception_cancels_g1_and_g3() -> None:
    helper = frozenset({"pin_told_to_someone", "card_handed_to_someone", "care_helper_exception"})
    assert suggest_fault("stolen_card", helper, Policy()) == "none"
    assert suggest_fault("stolen_card", helper - {"care_helper_exception"}, Policy()) == (
        "gross_negligence"
    )


def test_the_care_helper_exception_does_not_cancel_a_pin_written_on_the_card() -> None:
    checklist = frozenset({"pin_written_on_card", "care_helper_exception"})
    assert suggest_fault("stolen_card", checklist, Policy()) == "gross_negligence"


def test_the_care_helper_exception_leaves_ordinary_negligence_standing() -> None:
    checklist = frozenset({"pin_told_to_someone", "care_helper_exception", "pin_memo_with_card"})
    assert suggest_fault("stolen_card", checklist, Policy()) == "negligence"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("passbook_handed_to_someone", "gross_negligence"),
        ("stamped_slip_handed_to_someone", "gross_negligence"),
        ("comparable_gross", "gross_negligence"),
        ("passbook_left_unattended", "negligence"),
        ("stamped_slips_kept_with_passbook", "negligence"),
        ("seal_kept_with_passbook", "negligence"),
        ("comparable_negligence", "negligence"),
        ("pin_written_on_card", "none"),
    ],
)
def test_passbook_codes_suggest_the_passbook_fault(code: str, expected: str) -> None:
    assert suggest_fault("stolen_passbook", frozenset({code}), Policy()) == expected
    assert suggest_fault("lost_passbook", frozenset({code}), Policy()) == expected


def test_passbook_codes_do_not_count_against_a_card() -> None:
    checklist = frozenset({"passbook_handed_to_someone", "seal_kept_with_passbook"})
    assert suggest_fault("stolen_card", checklist, Policy()) == "none"


def test_online_banking_gets_no_suggestion_and_defaults_to_no_fault() -> None:
    checklist = frozenset({"comparable_gross", "pin_told_to_someone"})
    assert suggest_fault("online_banking", checklist, Policy()) is None
    assessment = assess(case(kind="online_banking", checklist=checklist))
    assert assessment.items[0].suggested_fault is None
    assert assessment.items[0].fault == "none"
    assert assessment.transactions[0].rate == 100


def test_a_confirmed_fault_overrides_the_suggestion_but_both_are_shown() -> None:
    facts = case(fault="none", checklist=frozenset({"pin_memo_with_card"}))
    assessment = assess(facts)
    assert assessment.items[0].suggested_fault == "negligence"
    assert assessment.items[0].fault == "none"
    assert assessment.transactions[0].rate == 100


def test_suggest_fault_refuses_an_unknown_kind() -> None:
    with pytest.raises(FactsError):
        suggest_fault("stolen_wallet", frozenset(), Policy())


# --- payments and exclusions ----------------------------------------------------------------


def test_it_pays_75_percent_when_the_pin_memo_was_kept_with_the_card() -> None:
    result = only(case(checklist=frozenset({"pin_memo_with_card"})))
    assert (result.rate, result.compensation) == (75, 150000)
    assert result.reasons[0].startswith(
        "暗証番号を記載したメモをカードと一緒に保管されていたため（過失）"
    )


def test_compensation_is_rounded_down_to_the_yen() -> None:
    result = only(case(amount=333, checklist=frozenset({"pin_memo_with_card"})))
    assert result.compensation == 249  # 333 × 0.75 = 249.75


def test_fees_and_interest_are_claimed_with_the_amount() -> None:
    facts = case()
    tx = dataclasses.replace(facts.transactions[0], fee=220, interest=15)
    result = only(dataclasses.replace(facts, transactions=(tx,)))
    assert result.claimed == 200235
    assert result.compensation == 200235


def test_the_bank_at_fault_lifts_gross_negligence() -> None:
    facts = case(checklist=frozenset({"card_handed_to_someone"}), bank_at_fault=True)
    result = only(facts)
    assert (result.rate, result.compensation) == (100, 200000)
    assert "当行に過失があった" in result.reasons[0]


def test_the_bank_at_fault_lifts_the_spouse_and_false_explanation_exclusions() -> None:
    assert only(case(taken_by="spouse", bank_at_fault=True)).rate == 100
    assert only(case(false_explanation=True, bank_at_fault=True)).rate == 100
    assert only(case(taken_by="spouse")).rate == 0
    assert only(case(false_explanation=True)).rate == 0


def test_the_bank_at_fault_lifts_negligence_to_full_payment() -> None:
    facts = case(checklist=frozenset({"pin_memo_with_card"}), bank_at_fault=True)
    assert only(facts).rate == 100


def test_the_bank_at_fault_does_not_lift_intent() -> None:
    result = only(case(fault="intent", bank_at_fault=True))
    assert (result.rate, result.compensation) == (0, 0)
    assert "故意" in result.reasons[0]


def test_the_bank_at_fault_does_not_lift_war_or_riot() -> None:
    result = only(case(war_or_riot=True, bank_at_fault=True))
    assert (result.rate, result.compensation) == (0, 0)
    assert "暴動" in result.reasons[0]


@pytest.mark.parametrize(
    "relation",
    ["spouse", "relative_2nd_degree", "cohabiting_relative", "cohabitant", "domestic_servant"],
)
def test_withdrawals_by_the_household_are_not_covered(relation: str) -> None:
    result = only(case(taken_by=relation))
    assert result.rate == 0
    assert "による払戻しのため、補償の対象外です。" in result.reasons[0]


def test_a_withdrawal_by_someone_else_is_paid() -> None:
    assert only(case(taken_by="other")).rate == 100


def test_late_notice_refuses_even_when_the_bank_is_at_fault() -> None:
    facts = case(requirements=Requirements(prompt_notice=False), bank_at_fault=True)
    result = only(facts)
    assert result.rate == 0
    assert "速やかに" in result.reasons[0]


def test_a_missing_explanation_leaves_the_transaction_pending() -> None:
    result = only(case(requirements=Requirements(explanation=False)))
    assert (result.status, result.rate, result.compensation) == ("pending", None, None)
    assert "説明" in result.reasons[0]


def test_online_banking_waits_for_the_explanation_to_the_police() -> None:
    result = only(case(kind="online_banking", requirements=Requirements(police_report=False)))
    assert result.status == "pending"
    assert "事情説明" in result.reasons[0]


def test_online_banking_gross_negligence_follows_the_policy() -> None:
    facts = case(kind="online_banking", fault="gross_negligence")
    assert only(facts).rate == 0
    review = only(facts, Policy(online_banking_gross_negligence_rate=None))
    assert (review.status, review.rate) == ("review", None)


def test_a_passbook_policy_of_100_percent_pays_negligence_in_full() -> None:
    facts = case(kind="stolen_passbook", checklist=frozenset({"seal_kept_with_passbook"}))
    assert only(facts, Policy(passbook_negligence_rate=100)).compensation == 200000
    assert only(facts).compensation == 150000


def test_a_counterfeit_card_ignores_the_window_and_the_requirements() -> None:
    facts = case(
        kind="counterfeit_card",
        occurred_on=None,
        dates=(D(2023, 1, 1),),
        requirements=Requirements(False, False, False),
    )
    result = only(facts)
    assert (result.covered, result.rate) == (True, 100)


def test_a_counterfeit_card_with_gross_negligence_is_paid_when_the_bank_is_at_fault() -> None:
    facts = case(
        kind="counterfeit_card", checklist=frozenset({"pin_written_on_card"}), bank_at_fault=True
    )
    assert only(facts).rate == 100


def test_a_counterfeit_card_used_with_intent_is_not_paid_even_when_the_bank_is_at_fault() -> None:
    assert only(case(kind="counterfeit_card", fault="intent", bank_at_fault=True)).rate == 0


# --- outcomes -------------------------------------------------------------------------------


def test_pending_wins_over_review_for_the_case_outcome() -> None:
    facts = Facts(
        notified_on=NOTIFIED,
        items=(
            Item("lost", "lost_card", D(2026, 3, 20)),
            Item("st", "stolen_card", D(2026, 3, 20)),
        ),
        transactions=(
            Transaction("t1", "lost", D(2026, 3, 21), 1000),
            Transaction("t2", "st", D(2026, 3, 21), 1000),
        ),
        requirements=Requirements(police_report=False),
    )
    assessment = assess(facts)
    assert [r.status for r in assessment.transactions] == ["review", "pending"]
    assert assessment.outcome == "pending"
    assert assessment.compensation_total is None


def test_review_wins_over_a_decided_payment_and_nulls_the_total() -> None:
    facts = Facts(
        notified_on=NOTIFIED,
        items=(Item("ob", "online_banking", D(2026, 3, 20), "negligence"),),
        transactions=(Transaction("t1", "ob", D(2026, 3, 21), 1000),),
    )
    assessment = assess(facts)
    assert assessment.transactions[0].status == "review"
    assert assessment.outcome == "review"
    assert assessment.compensation_total is None
    assert assessment.claimed_total == 1000


def test_review_and_pending_are_told_apart_on_the_transaction() -> None:
    review = only(case(customer_type="corporate"))
    pending = only(case(requirements=Requirements(police_report=False)))
    assert (
        (review.rate, review.compensation) == (pending.rate, pending.compensation) == (None, None)
    )
    assert (review.status, pending.status) == ("review", "pending")


def test_a_corporate_customer_is_reviewed_whatever_the_requirements() -> None:
    result = only(case(customer_type="corporate", requirements=Requirements(police_report=False)))
    assert result.status == "review"
    assert result.reasons[0] == "法人のお客さまのため、個別に判断します。"


def test_a_reviewed_transaction_outside_the_window_says_so() -> None:
    result = only(
        case(customer_type="corporate", dates=(D(2026, 2, 1),), occurred_on=D(2026, 1, 1))
    )
    assert result.covered is False
    assert len(result.reasons) == 2
    assert result.reasons[1].startswith("なお、")


def test_a_stolen_card_policy_of_case_by_case_sends_negligence_to_review() -> None:
    facts = case(checklist=frozenset({"pin_memo_with_card"}))
    result = only(facts, Policy(stolen_card_negligence_rate=None))
    assert (result.status, result.rate) == ("review", None)


def test_every_decision_has_a_japanese_reason() -> None:
    facts = case(
        dates=(D(2026, 3, 21), D(2026, 1, 2)), checklist=frozenset({"card_handed_to_someone"})
    )
    assessment = assess(facts)
    for result in assessment.transactions:
        assert result.reasons and all(reason.endswith("。") for reason in result.reasons)
    assert all(reason.endswith("。") for reason in assessment.reasons)


def test_a_transaction_naming_a_missing_item_is_refused_by_assess() -> None:
    facts = Facts(notified_on=NOTIFIED, transactions=(Transaction("t", "x", NOTIFIED, 1),))
    with pytest.raises(FactsError) as caught:
        assess(facts)
    assert caught.value.problems[0].startswith("transactions[0].item")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_type": "company"}, "customer_type"),
        ({"taken_by": "neighbour"}, "taken_by"),
        ({"checklist": frozenset({"pin_on_a_post_it"})}, "checklist"),
        ({"unavoidable_days": -1}, "unavoidable_days"),
    ],
)
def test_assess_refuses_facts_built_in_python_outside_the_contract(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(FactsError) as caught:
        assess(dataclasses.replace(case(), **change))
    assert caught.value.problems[0].startswith(f"{field}: ")


def test_assess_refuses_a_negative_amount_built_in_python() -> None:
    with pytest.raises(FactsError):
        assess(case(amount=-1))


@pytest.mark.parametrize(
    "policy",
    [Policy(window_days=0), Policy(stolen_card_negligence_rate=120), Policy(window_days=10**6)],
)
def test_assess_refuses_a_policy_outside_the_contract(policy: Policy) -> None:
    with pytest.raises(FactsError):
        assess(case(), policy)
