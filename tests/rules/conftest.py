"""Fixtures for the rules tests: the real command run once per scenario, all at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .support import SCENARIOS, Run, run_many


@pytest.fixture(scope="session")
def scenario_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Run `manage.py assess_compensation FILE` on every scenario's input, in parallel."""
    folder: Path = tmp_path_factory.mktemp("scenarios")
    calls: list[tuple[str, bytes | None]] = []
    for index, scenario in enumerate(SCENARIOS):
        path = folder / f"scenario-{index:02d}.json"
        path.write_text(json.dumps(scenario["input"], ensure_ascii=False), encoding="utf-8")
        calls.append((str(path), None))
    runs = run_many(calls)
    return {scenario["name"]: run for scenario, run in zip(SCENARIOS, runs, strict=True)}
