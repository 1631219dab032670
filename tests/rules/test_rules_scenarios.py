"""Every worked example of compensation-scenarios.json, through assess() and through the command."""

from __future__ import annotations

import json

import pytest

from compensation.rules import RULES_VERSION, assess, assessment_to_dict, parse_facts

from .support import SCENARIOS, Run, assert_readable_reasons, assert_subset

NAMES = [scenario["name"] for scenario in SCENARIOS]
BY_NAME = {scenario["name"]: scenario for scenario in SCENARIOS}


def test_the_scenarios_file_holds_the_sixteen_worked_examples() -> None:
    assert len(SCENARIOS) == 16
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_assess_gives_the_expected_assessment(name: str) -> None:
    scenario = BY_NAME[name]
    facts, policy = parse_facts(scenario["input"])
    output = assessment_to_dict(assess(facts, policy))
    assert_subset(scenario["expected"], output)
    assert_readable_reasons(output)
    assert output["rules_version"] == RULES_VERSION


@pytest.mark.parametrize("name", NAMES)
def test_the_command_gives_the_expected_assessment(
    name: str, scenario_runs: dict[str, Run]
) -> None:
    run = scenario_runs[name]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    output = json.loads(run.stdout)
    assert_subset(BY_NAME[name]["expected"], output)
    assert_readable_reasons(output)
    assert output["rules_version"] == RULES_VERSION


@pytest.mark.parametrize("name", NAMES)
def test_the_command_prints_the_same_json_as_the_engine(
    name: str, scenario_runs: dict[str, Run]
) -> None:
    facts, policy = parse_facts(BY_NAME[name]["input"])
    engine = assessment_to_dict(assess(facts, policy))
    expected_text = json.dumps(engine, ensure_ascii=False, indent=2) + "\n"
    assert scenario_runs[name].stdout == expected_text
