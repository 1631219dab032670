"""Run one scan of the deadlines by hand and print what it did (for operators and tests)."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from incidents.deadlines import deadlines_digest_send, deadlines_scan


class Command(BaseCommand):
    """``python manage.py scan_deadlines [--now ISO-DATETIME] [--digest]``."""

    help = "Remind, mark overdue and escalate the deadlines that are due, once, and print what was done."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--now",
            help="scan as if it were this time (ISO 8601; without an offset, Japan time)",
        )
        parser.add_argument(
            "--digest", action="store_true", help="also send the supervisors' daily digest"
        )

    def handle(self, *args, now=None, digest=False, **options) -> None:
        moment = _parse(now) if now else timezone.now()
        result = deadlines_scan(now=moment)
        self.stdout.write(f"scan at {timezone.localtime(moment):%Y-%m-%d %H:%M:%S %Z}")
        for action in result.actions:
            self.stdout.write(f"  {action}")
        summary = result.summary()
        self.stdout.write(
            "examined {examined}, reminded {reminded}, overdue {overdue}, "
            "escalated {escalated}, re-escalated {re_escalated}".format(**summary)
        )
        if result.left_for_next_run:
            self.stdout.write("budget spent: the deadlines still due are left for the next scan")
        if digest:
            self.stdout.write(f"digest sent to {deadlines_digest_send(now=moment)} supervisor(s)")


def _parse(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now: not an ISO 8601 date-time: {value!r}") from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
