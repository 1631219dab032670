"""Fixtures for the rules tests: the real command's runs, started as soon as tests are collected.

Every run of `manage.py assess_compensation` pays the project's whole Django start-up (about two
CPU-seconds), so the fixed runs (one per scenario, one per error case) are queued on a thread pool
when collection finishes; the pure-Python tests run meanwhile, and the fixtures wait for results.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from .support import COMMAND_CASES, SCENARIOS, Background, Run, command_case_calls, scenario_calls

_FOLDER = tempfile.TemporaryDirectory(prefix="mamori-rules-")
_SCENARIO_DIR = Path(_FOLDER.name) / "scenarios"
_CASES_DIR = Path(_FOLDER.name) / "cases"


def _scenario_calls() -> list[tuple[str, bytes | None]]:
    _SCENARIO_DIR.mkdir(exist_ok=True)
    return scenario_calls(_SCENARIO_DIR)


def _case_calls() -> list[tuple[str, bytes | None]]:
    _CASES_DIR.mkdir(exist_ok=True)
    return command_case_calls(_CASES_DIR)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the command runs that the selected tests will need."""
    if session.config.option.collectonly:
        return
    fixtures = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    if "command_runs" in fixtures:
        Background.start("cases", _case_calls)
    if "scenario_runs" in fixtures:
        Background.start("scenarios", _scenario_calls)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the pool and remove the files."""
    Background.stop()
    _FOLDER.cleanup()


@pytest.fixture(scope="session")
def scenario_runs() -> dict[str, Run]:
    """`manage.py assess_compensation FILE` on every scenario's input, by scenario name."""
    runs = Background.results("scenarios", _scenario_calls)
    return {scenario["name"]: run for scenario, run in zip(SCENARIOS, runs, strict=True)}


@pytest.fixture(scope="session")
def command_runs() -> dict[str, Run]:
    """`manage.py assess_compensation` on every error case, by case name."""
    return dict(zip(COMMAND_CASES, Background.results("cases", _case_calls), strict=True))
