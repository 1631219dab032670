"""`manage.py remedy_distribution [FILE|-]`: share a frozen balance among accepted claims (Remedy Act)."""

from __future__ import annotations

import json

from django.core.management.base import CommandParser

from compensation.management.commands import assess_compensation
from compensation.management.commands.assess_compensation import BadInput, _one_line, decode_json
from compensation.rules import (
    DistributionError,
    distribute,
    distribution_to_dict,
    parse_distribution,
)


def distribution_json(raw: bytes) -> str:
    """Turn the balance and claims as JSON bytes into the distribution as JSON text."""
    try:
        data = parse_distribution(decode_json(raw))
    except DistributionError as exc:
        raise BadInput([_one_line(problem, 1000) for problem in exc.problems]) from None
    result = distribution_to_dict(distribute(data))
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"


class Command(assess_compensation.Command):
    """Compute the Remedy Act's distribution from JSON; touches no database.

    The reading, the error lines and the exit statuses are assess_compensation's
    (docs/distribution-contract.md §1).
    """

    help = (
        "Read the frozen balance and the accepted claims as JSON from standard input (or FILE), "
        "share the balance under the Remedy Act and print the payments as JSON. Bad input exits "
        "with status 2 and one line per problem on standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """FILE: a path, or - (the default) for standard input."""
        parser.add_argument(
            "file",
            nargs="?",
            default="-",
            metavar="FILE",
            help="the balance and claims as JSON; - or nothing for standard input",
        )

    def convert(self, raw: bytes) -> str:
        """Distribute instead of assessing."""
        return distribution_json(raw)
