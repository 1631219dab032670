"""The assess_compensation command's error behaviour: exit 2, nothing on stdout, a line per problem."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compensation.management.commands.assess_compensation import (
    BadInput,
    Command,
    assess_json,
    decode_json,
    read_input,
)

from .support import Run, assert_clean_failure, bad_transaction, base_case, with_fields

VALID = json.dumps(base_case(), ensure_ascii=False).encode("utf-8")


def test_malformed_json_exits_2_with_one_line_and_nothing_on_stdout(
    command_runs: dict[str, Run],
) -> None:
    run = command_runs["malformed_json"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0].startswith("input: not valid JSON")


def test_an_impossible_date_is_named_by_its_field(command_runs: dict[str, Run]) -> None:
    run = command_runs["impossible_date"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0] == "notified_on: no such date (2026-02-30)"


def test_a_negative_amount_is_named_by_its_field(command_runs: dict[str, Run]) -> None:
    run = command_runs["negative_amount"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0].startswith(
        "transactions[0].amount: must be a whole number of yen ≥ 0"
    )


def test_a_transaction_naming_a_missing_item_is_refused(command_runs: dict[str, Run]) -> None:
    run = command_runs["missing_item"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0] == 'transactions[0].item: no item with id "i9" in items'


def test_every_problem_gets_its_own_line(command_runs: dict[str, Run]) -> None:
    run = command_runs["three_problems"]
    assert_clean_failure(run, lines=3)
    fields = sorted(line.split(":", 1)[0] for line in run.error_lines)
    assert fields == ["customer_type", "transactions[0].amount", "unavoidable_days"]


def test_input_that_is_not_utf8_is_refused_cleanly(command_runs: dict[str, Run]) -> None:
    run = command_runs["not_utf8"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0].startswith("input: not UTF-8 text")


def test_json_that_is_not_an_object_is_refused_cleanly(command_runs: dict[str, Run]) -> None:
    run = command_runs["not_an_object"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0].startswith("input: must be a JSON object")


def test_a_missing_file_is_refused_cleanly(command_runs: dict[str, Run]) -> None:
    run = command_runs["no_such_file"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0] == "FILE: no such file: /nonexistent/mamori/case.json"


def test_standard_input_is_read_for_a_dash(command_runs: dict[str, Run]) -> None:
    run = command_runs["stdin_valid"]
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    output = json.loads(run.stdout)
    assert output["outcome"] == "full"
    assert output["compensation_total"] == 200220
    assert list(output) == [
        "outcome",
        "window_start",
        "claimed_total",
        "compensation_total",
        "items",
        "transactions",
        "reasons",
        "rules_version",
    ]
    assert list(output["transactions"][0])[:6] == [
        "id",
        "covered",
        "rate",
        "claimed",
        "compensation",
        "reasons",
    ]


def test_the_output_is_indented_utf8_json_with_japanese_unescaped(
    command_runs: dict[str, Run],
) -> None:
    text = command_runs["stdin_valid"].stdout
    assert text.startswith('{\n  "outcome": "full",')
    assert "補償します" in text
    assert "\\u" not in text


def test_bad_standard_input_is_refused_cleanly(command_runs: dict[str, Run]) -> None:
    run = command_runs["stdin_invalid"]
    assert_clean_failure(run, lines=1)
    assert run.error_lines[0].startswith("input: not valid JSON")


# In-process checks of the command's reading and decoding (each subprocess costs Django's start-up).


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        ([], "FILE: required"),
        (["case.json", "--frobnicate"], "arguments: unrecognized arguments: --frobnicate"),
        (["a.json", "b.json"], "arguments: unrecognized arguments: b.json"),
    ],
)
def test_argument_problems_exit_2_with_one_line(
    argv: list[str], start: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "assess_compensation", *argv])
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(start)


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"", "input: not valid JSON: Expecting value (line 1, column 1)"),
        (VALID.replace(b"200000", b"NaN"), "input: not valid JSON: NaN is not a JSON number"),
        (b"[" * 100_000 + b"]" * 100_000, "input: not valid JSON"),
        (b'{"a": ' + b"9" * 5000 + b"}", "input: not valid JSON"),
        (b'{"a": 1, "a": 2}', 'input: not valid JSON: the key "a" appears twice'),
        (b"\xef\xbb\xbf\xff", "input: not UTF-8 text (byte 0xff at offset 3)"),
    ],
)
def test_decoding_problems_become_one_clean_line(raw: bytes, start: str) -> None:
    with pytest.raises(BadInput) as caught:
        decode_json(raw)
    (line,) = caught.value.problems
    assert line.startswith(start)


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    assert decode_json(b"\xef\xbb\xbf" + VALID) == json.loads(VALID)


def test_a_directory_is_refused_as_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as caught:
        read_input(str(tmp_path))
    assert caught.value.problems == [f"FILE: is a directory, not a file: {tmp_path}"]


def test_assess_json_lists_every_problem_on_its_own_line() -> None:
    with pytest.raises(BadInput) as caught:
        assess_json(with_fields(notified_on="2026-02-30", war_or_riot="yes"))
    assert caught.value.problems == [
        "notified_on: no such date (2026-02-30)",
        'war_or_riot: must be true or false (got "yes")',
    ]


def test_call_command_raises_command_error_with_status_2_instead_of_exiting(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(bad_transaction(amount=-1))
    with pytest.raises(CommandError) as caught:
        call_command("assess_compensation", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert str(caught.value).startswith("transactions[0].amount:")


def test_call_command_writes_the_assessment(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(VALID)
    out = io.StringIO()
    call_command("assess_compensation", str(path), stdout=out)
    assert json.loads(out.getvalue())["outcome"] == "full"
