"""`manage.py assess_compensation FILE|-`: run the compensation rules on one case's JSON facts."""

from __future__ import annotations

import codecs
import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compensation.rules import FactsError, assess, assessment_to_dict, parse_facts

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 1


class BadInput(Exception):
    """The input could not be read or decoded; carries the problem lines."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problem lines."""
        super().__init__("\n".join(problems))
        self.problems = problems


def _one_line(text: str, limit: int = 200) -> str:
    """Make text safe for a single line of standard error."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reject_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which are not JSON."""
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a key written twice (the later value would silently win)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(
                f"the key {json.dumps(key, ensure_ascii=False)} appears twice in an object"
            )
        result[key] = value
    return result


def read_input(name: str) -> bytes:
    """Read the raw bytes of FILE, or of standard input for "-"."""
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is not None:
            return stream.read()
        if sys.stdin is None:
            raise BadInput(["FILE: standard input is not available"])
        return sys.stdin.read().encode("utf-8")
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise BadInput([f"FILE: no such file: {_one_line(name)}"]) from None
    except IsADirectoryError:
        raise BadInput([f"FILE: is a directory, not a file: {_one_line(name)}"]) from None
    except PermissionError:
        raise BadInput([f"FILE: permission denied: {_one_line(name)}"]) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BadInput([f"FILE: cannot read {_one_line(name)}: {_one_line(reason)}"]) from None


def decode_json(raw: bytes) -> object:
    """Decode UTF-8 JSON (a leading byte-order mark is allowed), or raise BadInput."""
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise BadInput(
            [f"input: not UTF-8 text (byte 0x{raw[offset]:02x} at offset {offset})"]
        ) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise BadInput(
            [f"input: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
        ) from None
    except RecursionError:
        raise BadInput(["input: not valid JSON: nested too deeply"]) from None
    except ValueError as exc:
        raise BadInput([f"input: not valid JSON: {_one_line(str(exc))}"]) from None


def assess_json(raw: bytes) -> str:
    """Turn one case's facts as JSON bytes into the assessment as JSON text."""
    try:
        facts, policy = parse_facts(decode_json(raw))
    except FactsError as exc:
        raise BadInput([_one_line(problem, 1000) for problem in exc.problems]) from None
    assessment = assess(facts, policy)
    return json.dumps(assessment_to_dict(assessment), ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    """Assess one case's compensation from facts as JSON; touches no database."""

    help = (
        "Read one case's facts as JSON from FILE (or standard input for -), apply the compensation "
        "rules and print the assessment as JSON. Bad input exits with status 2 and one line per "
        "problem on standard error."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Make argument errors a single clean line with exit status 2."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if parser.called_from_command_line:

            def error(message: str) -> None:
                """Report a usage problem as one line."""
                self._fail([f"arguments: {_one_line(message)}"], EXIT_BAD_INPUT)

            parser.error = error  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        """FILE: a path, or - for standard input."""
        parser.add_argument(
            "file", nargs="?", metavar="FILE", help="the case's facts as JSON; - for standard input"
        )

    def convert(self, raw: bytes) -> str:
        """Turn the input's bytes into the output's text (raising BadInput on bad input)."""
        return assess_json(raw)

    def _fail(self, problems: list[str], status: int) -> NoReturn:
        """Print each problem on its own line of standard error and stop with the status."""
        if not getattr(self, "_called_from_command_line", False):
            raise CommandError("\n".join(problems), returncode=status)
        for problem in problems:
            self.stderr.write(problem)
        self.stderr.flush()
        raise SystemExit(status)

    def handle(self, *args: Any, **options: Any) -> None:
        """Read, validate, assess and print."""
        name = options.get("file")
        if not name:
            self._fail(
                ["FILE: required (a path to the case's facts as JSON, or - for standard input)"],
                EXIT_BAD_INPUT,
            )
        try:
            output = self.convert(read_input(name))
        except BadInput as exc:
            self._fail(exc.problems, EXIT_BAD_INPUT)
            return
        except Exception as exc:  # a defect in the rules, not in the input: still no traceback
            if options.get("traceback"):
                raise
            self._fail(
                [f"internal error: {type(exc).__name__}: {_one_line(str(exc))}"],
                EXIT_INTERNAL_ERROR,
            )
            return
        buffer = getattr(self.stdout, "buffer", None)
        try:
            if buffer is not None:
                self.stdout.flush()
                buffer.write(output.encode("utf-8"))
                buffer.flush()
            else:
                self.stdout.write(output, ending="")
        except BrokenPipeError:
            pass
