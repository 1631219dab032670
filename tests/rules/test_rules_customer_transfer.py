"""A transfer the customer made themselves, deceived (振り込め詐欺等): the Depositor Protection Act
does not cover it, and the decision says so in words and names the Remedy Act (docs/domain.md §9,
docs/assessment-contract.md §6 rule 0)."""

from __future__ import annotations

import datetime

import pytest

from compensation.rules import Facts, Item, Requirements, Transaction, assess, parse_facts

D = datetime.date
NOTIFIED = D(2026, 3, 31)


def transfer_case(**fields: object) -> Facts:
    items = (Item("i1", "customer_transfer", D(2026, 3, 30)),)
    transactions = (Transaction("t1", "i1", D(2026, 3, 30), 1_500_000, fee=440),)
    return Facts(notified_on=NOTIFIED, items=items, transactions=transactions, **fields)  # type: ignore[arg-type]


def test_the_customers_own_transfer_is_refused_with_the_act_and_the_remedy_act_named() -> None:
    result = assess(transfer_case())
    (tx,) = result.transactions
    assert (tx.covered, tx.rate, tx.compensation, tx.status) == (False, 0, 0, "decided")
    (reason,) = tx.reasons
    assert "預金者保護法" in reason and "対象外" in reason
    assert "振り込め詐欺救済法" in reason
    assert result.outcome == "none" and result.compensation_total == 0
    assert any("振り込め詐欺救済法" in sentence for sentence in result.reasons)


@pytest.mark.parametrize(
    "fields",
    [
        {"customer_type": "corporate"},
        {"bank_at_fault": True},
        {"requirements": Requirements(police_report=False)},
        {"war_or_riot": True},
    ],
)
def test_no_other_fact_turns_the_customers_transfer_into_review_pending_or_payment(
    fields: dict,
) -> None:
    (tx,) = assess(transfer_case(**fields)).transactions
    assert (tx.rate, tx.status, tx.compensation) == (0, "decided", 0)
    assert "振り込め詐欺救済法" in tx.reasons[0]


def test_a_transfer_has_neither_window_nor_two_year_limit() -> None:
    old = Facts(
        notified_on=NOTIFIED,
        items=(Item("i1", "customer_transfer", D(2020, 1, 1)),),
        transactions=(Transaction("t1", "i1", D(2020, 1, 1), 1000),),
    )
    result = assess(old)
    assert result.window_start is None
    assert not any("2年" in sentence for sentence in result.reasons)
    assert "偽造カードによる被害のため" not in "".join(result.reasons)


def test_beside_a_stolen_card_the_window_still_applies_to_the_card() -> None:
    facts = Facts(
        notified_on=NOTIFIED,
        items=(Item("c", "stolen_card", D(2026, 3, 20)), Item("f", "customer_transfer")),
        transactions=(
            Transaction("t1", "c", D(2026, 3, 21), 100_000),
            Transaction("t2", "f", D(2026, 3, 22), 300_000),
        ),
    )
    result = assess(facts)
    assert result.window_start == D(2026, 3, 1)
    assert [tx.compensation for tx in result.transactions] == [100_000, 0]
    assert result.outcome == "partial"


def test_the_contract_accepts_the_kind_customer_transfer() -> None:
    facts, policy = parse_facts(
        {
            "notified_on": "2026-03-31",
            "items": [{"id": "i1", "kind": "customer_transfer"}],
            "transactions": [{"id": "t1", "item": "i1", "date": "2026-03-30", "amount": 5000}],
        }
    )
    assert assess(facts, policy).transactions[0].reasons
