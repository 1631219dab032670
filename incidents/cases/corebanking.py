"""The narrow interface to the core banking system for protective stops (docs/domain.md §3).

A real adapter implements ``perform_stop`` against the bank's host; the built-in one records the
stop and returns a reference of its own so the product works stand-alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class StopRequest:
    """What the adapter needs to carry out one stop."""

    case_id: int
    action_kind: str
    account_branch: str
    account_number: str
    requested_by: str


@dataclass(frozen=True)
class StopResult:
    """The core system's acknowledgement."""

    reference: str
    performed_at: datetime


class CoreBankingAdapter(Protocol):
    """Anything that can carry out a protective stop and return its reference."""

    def perform_stop(self, request: StopRequest) -> StopResult: ...


class RecordingAdapter:
    """Built-in adapter: records the stop and issues a reference from a database sequence."""

    def perform_stop(self, request: StopRequest) -> StopResult:
        """Issue a reference of the form STP-YYYYMMDD-NNNNNNN."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('incidents_stop_reference_seq')")
            (serial,) = cursor.fetchone()
        now = timezone.now()
        return StopResult(
            reference=f"STP-{timezone.localtime(now):%Y%m%d}-{serial:07d}", performed_at=now
        )


def get_adapter() -> CoreBankingAdapter:
    """The configured adapter (MAMORI_CORE_BANKING_ADAPTER)."""
    return import_string(settings.MAMORI_CORE_BANKING_ADAPTER)()
