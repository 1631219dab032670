"""Helpers shared by the rules tests: the scenarios, subset comparison, running the real command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SCENARIOS_PATH = DATA / "compensation-scenarios.json"
SCENARIOS: list[dict[str, Any]] = json.loads(SCENARIOS_PATH.read_text(encoding="utf-8"))

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# Every command run points at a database that does not exist: a run that touched it would fail.
UNREACHABLE_DATABASE = "postgres://nobody@127.0.0.1:9/does_not_exist"


def base_case(**overrides: Any) -> dict[str, Any]:
    """A valid input: one stolen card, inside the window, no fault; fields replaced by overrides."""
    case: dict[str, Any] = {
        "customer_type": "individual",
        "notified_on": "2026-03-31",
        "items": [{"id": "i1", "kind": "stolen_card", "occurred_on": "2026-03-20"}],
        "requirements": {"prompt_notice": True, "explanation": True, "police_report": True},
        "transactions": [
            {"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 200000, "fee": 220}
        ],
    }
    case.update(overrides)
    return case


def assert_subset(expected: Any, actual: Any, path: str = "$") -> None:
    """Fail unless every key present in expected has an equal value (and JSON type) in actual."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key}: missing from the output"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), (
            f"{path}: {len(actual)} entries, expected {len(expected)}"
        )
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(want, got, f"{path}[{index}]")
    else:
        assert type(actual) is type(expected) and actual == expected, (
            f"{path}: got {actual!r}, expected {expected!r}"
        )


def assert_readable_reasons(output: dict[str, Any]) -> None:
    """Every transaction and the case carry non-empty Japanese reasons."""
    for tx in output["transactions"]:
        assert tx["reasons"], f"transaction {tx['id']} has no reason"
        for reason in tx["reasons"]:
            assert isinstance(reason, str) and JAPANESE.search(reason), reason
    assert output["reasons"], "the case has no overall reason"
    for reason in output["reasons"]:
        assert isinstance(reason, str) and JAPANESE.search(reason), reason
    assert isinstance(output["rules_version"], str) and output["rules_version"]


@dataclass(frozen=True)
class Run:
    """What one run of the command did."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        """The non-empty lines of standard error."""
        return [line for line in self.stderr.splitlines() if line.strip()]


def command_env() -> dict[str, str]:
    """The command's environment: manage.py picks the settings; the database is unreachable."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = UNREACHABLE_DATABASE
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run_command(argument: str, stdin: bytes | None = None) -> Run:
    """Run `manage.py assess_compensation ARGUMENT` in a subprocess at the repository root."""
    done = subprocess.run(
        [sys.executable, "manage.py", "assess_compensation", argument],
        cwd=REPO_ROOT,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=command_env(),
        timeout=120,
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


Call = tuple[str, bytes | None]  # the FILE argument, and what to feed on standard input

WORKERS = max(2, os.cpu_count() or 2)


def run_many(calls: list[Call]) -> list[Run]:
    """Run several commands at once (each is mostly Django's start-up, so use every core)."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda call: run_command(*call), calls))


class Background:
    """Command runs started as soon as the tests are collected, collected by the fixtures."""

    pool: ThreadPoolExecutor | None = None
    batches: dict[str, list[Future[Run]]] = {}

    @classmethod
    def start(cls, name: str, make_calls: Callable[[], list[Call]]) -> None:
        """Queue a batch of runs under a name, once."""
        if name in cls.batches:
            return
        if cls.pool is None:
            cls.pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="command")
        cls.batches[name] = [cls.pool.submit(run_command, *call) for call in make_calls()]

    @classmethod
    def results(cls, name: str, make_calls: Callable[[], list[Call]]) -> list[Run]:
        """Wait for a batch, starting it first if nobody did."""
        cls.start(name, make_calls)
        return [future.result() for future in cls.batches[name]]

    @classmethod
    def stop(cls) -> None:
        """Drop whatever has not started and wait for the rest."""
        if cls.pool is not None:
            cls.pool.shutdown(wait=True, cancel_futures=True)
            cls.pool = None
        cls.batches.clear()


def with_fields(**overrides: Any) -> bytes:
    """A valid case with some fields replaced, as JSON bytes."""
    return json.dumps(base_case(**overrides), ensure_ascii=False).encode("utf-8")


def bad_transaction(**fields: Any) -> bytes:
    """A valid case whose one transaction has some fields replaced, as JSON bytes."""
    tx = {"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 200000, "fee": 220}
    tx.update(fields)
    return with_fields(transactions=[tx])


# The command's error cases: name -> (FILE, or None to write the bytes to a file; the bytes).
COMMAND_CASES: dict[str, tuple[str | None, bytes]] = {
    "malformed_json": (None, b'{"notified_on": "2026-03-31", '),
    "impossible_date": (None, with_fields(notified_on="2026-02-30")),
    "negative_amount": (None, bad_transaction(amount=-1)),
    "missing_item": (None, bad_transaction(item="i9")),
    "three_problems": (
        None,
        with_fields(
            customer_type="company",
            unavoidable_days=-3,
            transactions=[{"id": "t1", "item": "i1", "date": "2026-03-21", "amount": 1.5}],
        ),
    ),
    "not_utf8": (None, b'{"notified_on": "2026-03-31", "x": "\xff\xfe"}'),
    "not_an_object": (None, b"[1, 2, 3]"),
    "no_such_file": ("/nonexistent/mamori/case.json", b""),
    "stdin_valid": ("-", with_fields()),
    "stdin_invalid": ("-", b"not json at all"),
}


def scenario_calls(folder: Path) -> list[Call]:
    """Write each scenario's input to a file and return the runs that assess them."""
    calls: list[Call] = []
    for index, scenario in enumerate(SCENARIOS):
        path = folder / f"scenario-{index:02d}.json"
        path.write_text(json.dumps(scenario["input"], ensure_ascii=False), encoding="utf-8")
        calls.append((str(path), None))
    return calls


def command_case_calls(folder: Path) -> list[Call]:
    """Write the error cases' bytes to files where needed and return their runs."""
    calls: list[Call] = []
    for name, (argument, payload) in COMMAND_CASES.items():
        if argument is None:
            path = folder / f"{name}.json"
            path.write_bytes(payload)
            calls.append((str(path), None))
        else:
            calls.append((argument, payload))
    return calls


def assert_clean_failure(run: Run, lines: int | None = None) -> None:
    """Exit 2, nothing on stdout, no traceback, one line per problem."""
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.error_lines, "no problem was reported"
    assert not any(line.startswith("CommandError") for line in run.error_lines), run.stderr
    if lines is not None:
        assert len(run.error_lines) == lines, run.stderr
