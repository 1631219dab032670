"""parse_facts: the contract's input validated, every problem reported on its own line."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from compensation.rules import (
    Facts,
    FactsError,
    Item,
    Policy,
    Requirements,
    Transaction,
    facts_to_dict,
    parse_facts,
)

from .support import base_case


def problems_of(data: object) -> list[str]:
    """The problems parse_facts reports for data (failing if it accepts it)."""
    with pytest.raises(FactsError) as caught:
        parse_facts(data)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


def with_tx(**fields: Any) -> dict[str, Any]:
    """The base case with its transaction's fields replaced."""
    tx = {"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 200000}
    tx.update(fields)
    return base_case(transactions=[tx])


def test_a_minimal_case_gets_the_contracts_defaults() -> None:
    facts, policy = parse_facts(
        {
            "notified_on": "2026-03-31",
            "items": [{"id": "i1", "kind": "stolen_card"}],
            "transactions": [{"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 5}],
        }
    )
    assert facts == Facts(
        notified_on=datetime.date(2026, 3, 31),
        items=(Item("i1", "stolen_card", None, None),),
        transactions=(Transaction("t1", "i1", datetime.date(2026, 3, 21), 5, 0, 0),),
        customer_type="individual",
        requirements=Requirements(True, True, True),
        checklist=frozenset(),
        bank_at_fault=False,
        taken_by=None,
        false_explanation=False,
        war_or_riot=False,
        unavoidable_days=0,
    )
    assert policy == Policy()


def test_policy_overrides_are_read() -> None:
    _, policy = parse_facts(
        base_case(policy={"online_banking_negligence_rate": 75, "window_days": 60})
    )
    assert policy == Policy(window_days=60, online_banking_negligence_rate=75)


def test_a_null_fault_means_the_checklist_decides() -> None:
    data = base_case(items=[{"id": "i1", "kind": "stolen_card", "fault": None}])
    facts, _ = parse_facts(data)
    assert facts.items[0].fault is None


@pytest.mark.parametrize("data", [None, [], "case", 3, True])
def test_input_that_is_not_an_object_is_one_problem(data: object) -> None:
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith("input: must be a JSON object")


def test_a_missing_notification_day_is_reported() -> None:
    data = base_case()
    del data["notified_on"]
    assert problems_of(data) == [
        "notified_on: required (the day the bank was notified, YYYY-MM-DD)"
    ]


def test_missing_items_and_transactions_lists_are_reported() -> None:
    problems = problems_of({"notified_on": "2026-03-31"})
    assert [p.split(":")[0] for p in problems] == ["items", "transactions"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_type", "company"),
        ("taken_by", "neighbour"),
        ("customer_type", None),
    ],
)
def test_unknown_words_are_reported_with_the_allowed_ones(field: str, value: object) -> None:
    (problem,) = problems_of(base_case(**{field: value}))
    assert problem.startswith(f"{field}: must be one of ")


def test_an_unknown_item_kind_and_fault_are_reported() -> None:
    data = base_case(items=[{"id": "i1", "kind": "stolen_wallet", "fault": "careless"}])
    problems = problems_of(data)
    assert [p.split(":")[0] for p in problems] == ["items[0].kind", "items[0].fault"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "notified_on: no such date (2026-02-30)"),
        ("2025-02-29", "notified_on: no such date (2025-02-29)"),
        ("2026-13-01", "notified_on: no such date (2026-13-01)"),
        ("2026/03/31", 'notified_on: must be a date written YYYY-MM-DD (got "2026/03/31")'),
        ("20260331", 'notified_on: must be a date written YYYY-MM-DD (got "20260331")'),
        (
            "2026-03-31T00:00",
            'notified_on: must be a date written YYYY-MM-DD (got "2026-03-31T00:00")',
        ),
        (20260331, "notified_on: must be a date written YYYY-MM-DD (got 20260331)"),
        (None, "notified_on: must be a date written YYYY-MM-DD (got null)"),
        ("0001-01-01", "notified_on: must be between 1900-01-01 and 2999-12-31 (got 0001-01-01)"),
    ],
)
def test_bad_dates_are_reported(value: object, message: str) -> None:
    assert problems_of(base_case(notified_on=value)) == [message]


@pytest.mark.parametrize("amount", [-1, 1.0, 1.5, True, "100", None, [100], 10**12 + 1])
def test_an_amount_must_be_whole_yen_within_bounds(amount: object) -> None:
    (problem,) = problems_of(with_tx(amount=amount))
    assert problem.startswith("transactions[0].amount: must be")


def test_the_contracts_wording_for_a_negative_amount() -> None:
    assert problems_of(with_tx(amount=-5)) == [
        "transactions[0].amount: must be a whole number of yen ≥ 0 (got -5)"
    ]


def test_amounts_up_to_a_trillion_yen_are_accepted() -> None:
    facts, _ = parse_facts(with_tx(amount=10**12, fee=10**12, interest=0))
    assert facts.transactions[0].amount == 10**12


def test_fee_and_interest_are_checked_like_amounts() -> None:
    problems = problems_of(with_tx(fee=-1, interest=2.5))
    assert [p.split(":")[0] for p in problems] == [
        "transactions[0].fee",
        "transactions[0].interest",
    ]


def test_a_missing_amount_and_date_are_reported() -> None:
    problems = problems_of(base_case(transactions=[{"id": "t1", "item": "i1"}]))
    assert problems == ["transactions[0].date: required", "transactions[0].amount: required"]


def test_duplicate_item_ids_are_reported() -> None:
    data = base_case(
        items=[{"id": "i1", "kind": "stolen_card"}, {"id": "i1", "kind": "stolen_passbook"}]
    )
    assert problems_of(data) == ['items[1].id: duplicate item id "i1" (also items[0])']


def test_duplicate_transaction_ids_are_reported() -> None:
    tx = {"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 1}
    assert problems_of(base_case(transactions=[tx, tx])) == [
        'transactions[1].id: duplicate transaction id "t1" (also transactions[0])'
    ]


def test_a_transaction_naming_a_missing_item_is_reported() -> None:
    assert problems_of(with_tx(item="i2")) == [
        'transactions[0].item: no item with id "i2" in items'
    ]


def test_an_unknown_checklist_code_is_reported_by_position() -> None:
    data = base_case(checklist=["pin_memo_with_card", "pin_on_a_post_it", 7])
    assert problems_of(data) == [
        'checklist[1]: unknown checklist code "pin_on_a_post_it"',
        "checklist[2]: unknown checklist code 7",
    ]


@pytest.mark.parametrize("days", [-1, 1.5, "3", True, 3651])
def test_unavoidable_days_must_be_a_sane_whole_number(days: object) -> None:
    (problem,) = problems_of(base_case(unavoidable_days=days))
    assert problem.startswith("unavoidable_days: must be a whole number of days from 0 to 3650")


def test_unknown_fields_are_reported_at_every_level() -> None:
    data = base_case(surname="山田", requirements={"police_report": True, "polite": True})
    data["items"][0]["colour"] = "blue"
    data["transactions"][0]["currency"] = "JPY"
    data["policy"] = {"window": 30}
    problems = problems_of(data)
    assert sorted(problems) == sorted(
        [
            "surname: unknown field",
            "requirements.polite: unknown field",
            "items[0].colour: unknown field",
            "transactions[0].currency: unknown field",
            "policy.window: unknown field",
        ]
    )


def test_an_unknown_field_with_an_odd_name_stays_on_one_line() -> None:
    (problem,) = problems_of(base_case(**{"bad\nkey": 1}))
    assert "\n" not in problem
    assert problem.endswith(": unknown field")


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"window_days": 0}, "policy.window_days"),
        ({"stolen_card_negligence_rate": 101}, "policy.stolen_card_negligence_rate"),
        ({"passbook_negligence_rate": -1}, "policy.passbook_negligence_rate"),
        ({"online_banking_negligence_rate": 7.5}, "policy.online_banking_negligence_rate"),
        ({"n3_requires_bank_request": "yes"}, "policy.n3_requires_bank_request"),
        (
            {"online_banking_negligence_rate": 50, "online_banking_gross_negligence_rate": 75},
            "policy.online_banking_gross_negligence_rate",
        ),
        ([], "policy"),
    ],
)
def test_bad_policy_values_are_reported(policy: object, field: str) -> None:
    (problem,) = problems_of(base_case(policy=policy))
    assert problem.startswith(f"{field}: ")


@pytest.mark.parametrize("field", ["bank_at_fault", "false_explanation", "war_or_riot"])
def test_flags_must_be_true_or_false(field: str) -> None:
    assert problems_of(base_case(**{field: 1})) == [f"{field}: must be true or false (got 1)"]


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "notified_on": "2026-02-30",
        "customer_type": "robot",
        "items": [{"id": "", "kind": "x"}, "not an item"],
        "requirements": {"police_report": "no"},
        "checklist": "pin_memo_with_card",
        "unavoidable_days": -1,
        "transactions": [{"id": "t1", "item": "i1", "date": "2026-02-30", "amount": -1}],
        "extra": True,
    }
    fields = [problem.split(":")[0] for problem in problems_of(data)]
    assert fields == [
        "extra",
        "customer_type",
        "notified_on",
        "items[0].id",
        "items[0].kind",
        "items[1]",
        "requirements.police_report",
        "checklist",
        "unavoidable_days",
        "transactions[0].item",
        "transactions[0].date",
        "transactions[0].amount",
    ]


def test_an_id_must_be_a_non_empty_string_of_valid_text() -> None:
    assert problems_of(with_tx(id=5)) == ["transactions[0].id: must be a non-empty string (got 5)"]
    assert problems_of(with_tx(id="\ud800")) == ["transactions[0].id: must be valid Unicode text"]


def test_facts_to_dict_round_trips_through_parse_facts_and_json() -> None:
    data = base_case(
        checklist=["seal_kept_with_passbook", "pin_memo_with_card"],
        taken_by="other",
        unavoidable_days=3,
        policy={"online_banking_negligence_rate": 75, "n3_requires_bank_request": True},
        items=[
            {"id": "i1", "kind": "stolen_card", "occurred_on": "2026-03-20"},
            {"id": "カード2", "kind": "online_banking", "occurred_on": None, "fault": "negligence"},
        ],
    )
    facts, policy = parse_facts(data)
    snapshot = json.loads(json.dumps(facts_to_dict(facts, policy), ensure_ascii=False))
    assert parse_facts(snapshot) == (facts, policy)
    assert snapshot["checklist"] == ["pin_memo_with_card", "seal_kept_with_passbook"]
    assert list(snapshot) == [
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
    ]
    assert "fault" not in snapshot["items"][0]
