"""The Remedy Act's distribution (docs/distribution-contract.md): worked examples and properties."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.management.commands.remedy_distribution import distribution_json
from compensation.rules import (
    Claim,
    DistributionError,
    DistributionInput,
    distribute,
    distribution_to_dict,
    parse_distribution,
)

from .support import REPO_ROOT, Run, assert_clean_failure, command_env


def run(data: dict[str, Any]) -> dict[str, Any]:
    """The contract's output for the contract's input."""
    return distribution_to_dict(distribute(parse_distribution(data)))


def claims(*amounts: int) -> list[dict[str, Any]]:
    """Claims named A, B, C… with the amounts given."""
    return [{"id": chr(ord("A") + i), "amount": a} for i, a in enumerate(amounts)]


# The worked examples of docs/distribution-contract.md §4, in its order.
WORKED = [
    (
        "below_minimum",
        {"balance": 999, "claims": claims(300_000, 200_000)},
        [0, 0],
        999,
        "1,000円未満",
    ),
    (
        "exactly_minimum_in_full",
        {"balance": 1_000, "claims": claims(400)},
        [400],
        600,
        "全額",
    ),
    (
        "in_full_with_remainder",
        {"balance": 500_000, "claims": claims(300_000, 150_000)},
        [300_000, 150_000],
        50_000,
        "残る50,000円",
    ),
    (
        "in_full_exactly",
        {"balance": 450_000, "claims": claims(300_000, 150_000)},
        [300_000, 150_000],
        0,
        "全額",
    ),
    (
        "pro_rata_exact",
        {"balance": 1_000_000, "claims": claims(1_500_000, 500_000)},
        [750_000, 250_000],
        0,
        "按分",
    ),
    (
        "pro_rata_rounded_down",
        {"balance": 100_000, "claims": claims(100_000, 100_000, 100_000)},
        [33_333, 33_333, 33_333],
        1,
        "切り捨てにより残る1円",
    ),
    (
        "no_claims",
        {"balance": 80_000, "claims": []},
        [],
        80_000,
        "認められた申請がない",
    ),
]


@pytest.mark.parametrize(
    ("data", "paid", "undistributed", "words"),
    [case[1:] for case in WORKED],
    ids=[case[0] for case in WORKED],
)
def test_worked_examples_of_the_contract(
    data: dict[str, Any], paid: list[int], undistributed: int, words: str
) -> None:
    output = run(data)
    assert [p["amount"] for p in output["payments"]] == paid
    assert [p["id"] for p in output["payments"]] == [c["id"] for c in data["claims"]]
    assert output["undistributed"] == undistributed
    assert words in output["reason"]


def test_below_the_minimum_the_reason_says_nothing_is_distributed() -> None:
    output = run({"balance": 0, "claims": claims(5_000)})
    assert output["payments"] == [{"id": "A", "amount": 0}]
    assert "支払われません" in output["reason"]


PROBLEMS = [
    (
        {"balance": 1000, "claims": claims(0)},
        ["claims[0].amount: must be a whole number of yen ≥ 1 (got 0)"],
    ),
    (
        {"balance": 1000, "claims": claims(-5)},
        ["claims[0].amount: must be a whole number of yen ≥ 1 (got -5)"],
    ),
    (
        {"balance": 1000, "claims": [{"id": "A", "amount": True}]},
        ["claims[0].amount: must be a whole number of yen ≥ 1 (got true)"],
    ),
    (
        {"balance": 1000, "claims": [{"id": "A", "amount": 1.5}]},
        ["claims[0].amount: must be a whole number of yen ≥ 1 (got 1.5)"],
    ),
    (
        {"balance": 1000, "claims": [{"id": "A", "amount": "100"}]},
        ['claims[0].amount: must be a whole number of yen ≥ 1 (got "100")'],
    ),
    (
        {"balance": 1000, "claims": [{"id": "A", "amount": 1}, {"id": "A", "amount": 2}]},
        ['claims[1].id: duplicate claim id "A" (also claims[0])'],
    ),
    (
        {"balance": 1000, "claims": [{"id": "", "amount": 1}]},
        ['claims[0].id: must be a non-empty string (got "")'],
    ),
    (
        {"balance": 1000, "claims": [{"id": 7, "amount": 1}]},
        ["claims[0].id: must be a non-empty string (got 7)"],
    ),
    ({"balance": 1000, "claims": [{"amount": 1}]}, ["claims[0].id: required"]),
    (
        {"balance": 1000, "claims": [{"id": "A", "amount": 1, "note": "x"}]},
        ["claims[0].note: unknown field"],
    ),
    ({"balance": -1, "claims": []}, ["balance: must be a whole number of yen ≥ 0 (got -1)"]),
    (
        {"balance": 10**13, "claims": []},
        ["balance: must be at most 1,000,000,000,000 yen (got 10000000000000)"],
    ),
    ({"claims": []}, ["balance: required"]),
    ({"balance": 1000}, ["claims: required (a list of the accepted claims)"]),
    ({"balance": 1000, "claims": {}}, ["claims: must be a list (got an object)"]),
    ({"balance": 1000, "claims": [3]}, ["claims[0]: must be an object (got 3)"]),
    ([], ["input: must be a JSON object (got a list)"]),
]


@pytest.mark.parametrize(("data", "problems"), PROBLEMS)
def test_bad_input_is_refused_with_one_line_per_problem(data: Any, problems: list[str]) -> None:
    with pytest.raises(DistributionError) as caught:
        parse_distribution(data)
    assert caught.value.problems == problems


def test_every_problem_is_reported_at_once() -> None:
    data = {"balance": "x", "claims": [{"id": "A", "amount": 0}, {"id": "A", "amount": 1}]}
    with pytest.raises(DistributionError) as caught:
        parse_distribution(data)
    assert [line.split(":")[0] for line in caught.value.problems] == [
        "balance",
        "claims[0].amount",
        "claims[1].id",
    ]


# -- properties --------------------------------------------------------------------------------

# No per-example deadline: the machine is shared, and a slow example is not a wrong one.
PROPERTY = settings(deadline=None, max_examples=200)

amounts = st.integers(min_value=1, max_value=10**9)
claim_lists = st.lists(
    st.tuples(st.text(min_size=1, max_size=8).filter(str.strip), amounts),
    max_size=12,
    unique_by=lambda pair: pair[0],
).map(lambda pairs: tuple(Claim(i, a) for i, a in pairs))
balances = st.one_of(st.integers(0, 2_000), st.integers(0, 10**10))


@PROPERTY
@given(balances, claim_lists)
def test_never_more_than_the_balance_in_total(
    balance: int, given_claims: tuple[Claim, ...]
) -> None:
    result = distribute(DistributionInput(balance, given_claims))
    assert result.paid <= balance
    assert result.undistributed >= 0


@PROPERTY
@given(balances, claim_lists)
def test_never_more_than_a_claim(balance: int, given_claims: tuple[Claim, ...]) -> None:
    result = distribute(DistributionInput(balance, given_claims))
    for claim, payment in zip(given_claims, result.payments, strict=True):
        assert payment.id == claim.id
        assert 0 <= payment.amount <= claim.amount


@PROPERTY
@given(balances, claim_lists, st.randoms(use_true_random=False))
def test_the_order_of_claims_changes_nothing(
    balance: int, given_claims: tuple[Claim, ...], random: Any
) -> None:
    shuffled = list(given_claims)
    random.shuffle(shuffled)
    first = distribute(DistributionInput(balance, given_claims))
    second = distribute(DistributionInput(balance, tuple(shuffled)))
    assert {p.id: p.amount for p in first.payments} == {p.id: p.amount for p in second.payments}
    assert (first.undistributed, first.reason) == (second.undistributed, second.reason)


@PROPERTY
@given(st.integers(1_000, 10**10), claim_lists)
def test_paid_and_undistributed_add_up_to_the_balance(
    balance: int, given_claims: tuple[Claim, ...]
) -> None:
    result = distribute(DistributionInput(balance, given_claims))
    assert result.paid + result.undistributed == balance


@PROPERTY
@given(st.integers(1_000, 10**10), claim_lists.filter(bool))
def test_rounding_leaves_less_than_a_yen_per_claim(
    balance: int, given_claims: tuple[Claim, ...]
) -> None:
    result = distribute(DistributionInput(balance, given_claims))
    total = sum(claim.amount for claim in given_claims)
    if total > balance:
        assert result.undistributed < len(given_claims)
    else:
        assert result.undistributed == balance - total


@PROPERTY
@given(st.integers(0, 999), claim_lists)
def test_below_the_minimum_nothing_is_paid(balance: int, given_claims: tuple[Claim, ...]) -> None:
    result = distribute(DistributionInput(balance, given_claims))
    assert all(payment.amount == 0 for payment in result.payments)
    assert result.undistributed == balance


# -- the command -------------------------------------------------------------------------------


def run_command(*arguments: str, stdin: bytes) -> Run:
    """`manage.py remedy_distribution` in a subprocess, with no reachable database."""
    done = subprocess.run(
        [sys.executable, "manage.py", "remedy_distribution", *arguments],
        cwd=REPO_ROOT,
        input=stdin,
        capture_output=True,
        env=command_env(),
        timeout=120,
        check=False,
    )
    return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


def test_the_command_reads_standard_input_and_prints_json() -> None:
    data = {"balance": 100_000, "claims": claims(120_000, 80_000)}
    done = run_command(stdin=json.dumps(data).encode())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "payments": [{"id": "A", "amount": 60_000}, {"id": "B", "amount": 40_000}],
        "undistributed": 0,
        "reason": run(data)["reason"],
    }


def test_the_command_exits_2_with_one_line_per_problem() -> None:
    data = {"balance": -1, "claims": [{"id": "A", "amount": 0}, {"id": "A", "amount": 5}]}
    done = run_command("-", stdin=json.dumps(data).encode())
    assert_clean_failure(done, lines=3)
    assert done.error_lines[2] == 'claims[1].id: duplicate claim id "A" (also claims[0])'


def test_the_command_refuses_malformed_json_cleanly() -> None:
    done = run_command(stdin=b'{"balance": ')
    assert_clean_failure(done, lines=1)
    assert done.error_lines[0].startswith("input: not valid JSON")


def test_called_from_python_a_problem_raises_command_error_with_status_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("remedy_distribution", "/nonexistent/mamori/claims.json")
    assert caught.value.returncode == 2
    assert str(caught.value) == "FILE: no such file: /nonexistent/mamori/claims.json"


def test_the_output_text_is_json_with_japanese_unescaped() -> None:
    text = distribution_json(json.dumps({"balance": 500, "claims": claims(1)}).encode())
    assert "円" in text
    assert json.loads(text)["undistributed"] == 500
