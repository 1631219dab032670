"""Properties of the rules that hold for every valid case, checked with hypothesis."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation.rules import (
    FAULTS,
    Facts,
    FactsError,
    Policy,
    assess,
    assessment_to_dict,
    facts_to_dict,
    parse_facts,
)

from .strategies import (
    facts,
    json_objects,
    json_values,
    mutated_inputs,
    policies,
    valid_inputs,
)
from .support import JAPANESE, assert_clean_failure, run_many

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(facts(), policies())
def test_compensation_never_exceeds_the_claim(case: Facts, policy: Policy) -> None:
    assessment = assess(case, policy)
    for result in assessment.transactions:
        if result.compensation is not None:
            assert 0 <= result.compensation <= result.claimed
            assert result.status == "decided"
        else:
            assert result.status in ("pending", "review")
            assert result.rate is None
    assert assessment.claimed_total == sum(r.claimed for r in assessment.transactions)
    if assessment.compensation_total is not None:
        assert 0 <= assessment.compensation_total <= assessment.claimed_total
        assert assessment.compensation_total == sum(
            r.compensation or 0 for r in assessment.transactions
        )


@FAST
@given(facts(), policies())
def test_the_outcome_follows_the_transactions(case: Facts, policy: Policy) -> None:
    assessment = assess(case, policy)
    statuses = {r.status for r in assessment.transactions}
    if "pending" in statuses:
        assert assessment.outcome == "pending"
    elif "review" in statuses:
        assert assessment.outcome == "review"
    elif assessment.compensation_total == 0:
        assert assessment.outcome == "none"
    elif assessment.compensation_total == assessment.claimed_total:
        assert assessment.outcome == "full"
    else:
        assert assessment.outcome == "partial"
    assert (assessment.compensation_total is None) == (assessment.outcome in ("pending", "review"))


@FAST
@given(facts(), policies())
def test_every_transaction_and_the_case_have_japanese_reasons(case: Facts, policy: Policy) -> None:
    assessment = assess(case, policy)
    for result in assessment.transactions:
        assert result.reasons
        assert all(JAPANESE.search(reason) for reason in result.reasons)
    assert assessment.reasons
    assert len(assessment.items) == len(case.items)


@FAST
@given(facts(min_transactions=1), policies(), st.data())
def test_a_worse_fault_never_pays_more(case: Facts, policy: Policy, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(case.items) - 1))
    better, worse = sorted(
        data.draw(st.lists(st.sampled_from(FAULTS), min_size=2, max_size=2)), key=FAULTS.index
    )

    def with_fault(fault: str) -> dict[str, int | None]:
        items = list(case.items)
        items[index] = dataclasses.replace(items[index], fault=fault)
        results = assess(dataclasses.replace(case, items=tuple(items)), policy).transactions
        return {r.id: r.compensation for r in results}

    paid_better, paid_worse = with_fault(better), with_fault(worse)
    for tx_id, worse_pay in paid_worse.items():
        better_pay = paid_better[tx_id]
        if worse_pay is not None and better_pay is not None:
            assert worse_pay <= better_pay, (tx_id, better, worse)


@FAST
@given(facts(min_transactions=1), policies(), st.data())
def test_moving_a_transaction_earlier_never_makes_it_covered(
    case: Facts, policy: Policy, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(case.transactions) - 1))
    days = data.draw(st.integers(1, 900))
    moved = list(case.transactions)
    moved[index] = dataclasses.replace(
        moved[index], date=moved[index].date - datetime.timedelta(days=days)
    )
    before = assess(case, policy).transactions
    after = assess(dataclasses.replace(case, transactions=tuple(moved)), policy).transactions
    for old, new in zip(before, after, strict=True):
        assert not (new.covered and not old.covered), old.id


@FAST
@given(facts(), policies())
def test_facts_to_dict_round_trips(case: Facts, policy: Policy) -> None:
    snapshot = json.loads(json.dumps(facts_to_dict(case, policy), ensure_ascii=False))
    assert parse_facts(snapshot) == (case, policy)
    assert assess(*parse_facts(snapshot)) == assess(case, policy)


def _parse_and_assess(document: Any) -> None:
    """parse_facts then assess: only FactsError may escape, and the output must be JSON."""
    try:
        case, policy = parse_facts(document)
    except FactsError as error:
        assert error.problems
        assert all(isinstance(p, str) and "\n" not in p and ": " in p for p in error.problems)
        return
    output = assessment_to_dict(assess(case, policy))
    json.dumps(output, ensure_ascii=False).encode("utf-8")


@JSON
@given(json_values)
def test_arbitrary_json_raises_nothing_but_facts_error(document: Any) -> None:
    _parse_and_assess(document)


@JSON
@given(json_objects)
def test_arbitrary_json_objects_raise_nothing_but_facts_error(document: Any) -> None:
    _parse_and_assess(document)


@JSON
@given(mutated_inputs())
def test_mutated_valid_inputs_raise_nothing_but_facts_error(document: Any) -> None:
    _parse_and_assess(document)


@pytest.fixture(scope="module")
def documents_folder(tmp_path_factory: pytest.TempPathFactory):
    """A folder for the documents handed to the command."""
    return tmp_path_factory.mktemp("arbitrary")


_numbers = itertools.count()


# Each example is a batch of four documents, one of each kind, run at once: every run of the
# command pays the project's whole Django start-up (about 2 s of CPU), so a handful it is:
# 2 examples, 8 documents (the scenarios and error cases run the command 25 more times).
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(documents=st.tuples(json_values, json_objects, mutated_inputs(), valid_inputs()))
def test_the_command_exits_0_or_2_and_never_prints_a_traceback(
    documents: tuple[Any, ...], documents_folder: Any
) -> None:
    calls: list[tuple[str, bytes | None]] = []
    for document in documents:
        path = documents_folder / f"document-{next(_numbers)}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        calls.append((str(path), None))
    for document, run in zip(documents, run_many(calls), strict=True):
        assert run.returncode in (0, 2), (document, run.stderr)
        assert "Traceback" not in run.stderr
        if run.returncode == 0:
            output = json.loads(run.stdout)
            assert output["rules_version"]
        else:
            assert_clean_failure(run)
