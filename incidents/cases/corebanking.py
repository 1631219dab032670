"""The narrow interface to the core banking system (docs/domain.md §3, docs/core-banking-protocol.md).

Two adapters: ``RecordingAdapter`` records the stop and returns a reference of its own so the
product works stand-alone (it confirms at once); ``HttpCoreBankingAdapter`` speaks the documented
HTTP/JSON protocol to a core (or to ``coresim``), where a stop is confirmed, accepted for later
confirmation, or refused. Stops through the HTTP adapter leave by the outbox
(``incidents.cases.services.outbox``), never inside a case's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import httpx
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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


class StopState:
    """The core's answers to a stop request (the protocol's ``state``)."""

    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(frozen=True)
class StopAnswer:
    """What the core said about one stop request."""

    state: str
    reference: str = ""
    confirmed_at: datetime | None = None
    code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class CustomerRecord:
    """A customer as the core knows them, for the teller to confirm at intake."""

    name: str
    kana: str
    birth_date: date | None
    phone: str
    postal_code: str
    address: str


class CoreBankingUnavailable(Exception):
    """The core did not answer usefully: down, too slow, an error, or an answer we cannot read."""


class CoreBankingAdapter(Protocol):
    """Anything that can carry out a protective stop and look a customer up."""

    # True when ``request_stop`` confirms in the caller's transaction (no network in between).
    confirms_at_once: bool

    def request_stop(self, request: StopRequest, *, key: str) -> StopAnswer: ...

    def stop_state(self, *, key: str) -> StopAnswer | None: ...

    def lookup_customer(self, branch: str, account: str) -> CustomerRecord | None: ...


class RecordingAdapter:
    """Built-in adapter: records the stop and issues a reference from a database sequence."""

    confirms_at_once = True

    def perform_stop(self, request: StopRequest) -> StopResult:
        """Issue a reference of the form STP-YYYYMMDD-NNNNNNN."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('incidents_stop_reference_seq')")
            (serial,) = cursor.fetchone()
        now = timezone.now()
        return StopResult(
            reference=f"STP-{timezone.localtime(now):%Y%m%d}-{serial:07d}", performed_at=now
        )

    def request_stop(self, request: StopRequest, *, key: str) -> StopAnswer:
        """Confirmed at once, with a reference of our own."""
        result = self.perform_stop(request)
        return StopAnswer(
            state=StopState.CONFIRMED, reference=result.reference, confirmed_at=result.performed_at
        )

    def stop_state(self, *, key: str) -> StopAnswer | None:
        """Nothing is ever left waiting here."""
        return None

    def lookup_customer(self, branch: str, account: str) -> CustomerRecord | None:
        """No core, no customers to look up."""
        raise CoreBankingUnavailable("no core banking system is connected")


_CODE_RE = re.compile(r"[^A-Za-z0-9_.-]")


def _clean(value: Any, limit: int) -> str:
    """A string from the core, safe to store: text only, no NUL, cut to the column."""
    return str(value).replace("\x00", "")[:limit] if isinstance(value, str | int) else ""


class HttpCoreBankingAdapter:
    """Speaks docs/core-banking-protocol.md to MAMORI_CORE_BANKING_URL with short timeouts."""

    confirms_at_once = False

    def __init__(self, base_url: str | None = None, timeout: float | None = None) -> None:
        self.base_url = (base_url or settings.MAMORI_CORE_BANKING_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.MAMORI_CORE_BANKING_TIMEOUT

    def _call(
        self, method: str, path: str, *, key: str = "", body: dict | None = None, params=None
    ) -> tuple[int, dict]:
        headers = {"Idempotency-Key": key} if key else {}
        try:
            with httpx.Client(base_url=self.base_url, timeout=self.timeout) as client:
                response = client.request(method, path, headers=headers, json=body, params=params)
        except httpx.HTTPError as error:
            raise CoreBankingUnavailable(f"{type(error).__name__}: {error}"[:200]) from error
        if response.status_code >= 500:
            raise CoreBankingUnavailable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise CoreBankingUnavailable(f"HTTP {response.status_code}: not JSON") from error
        if not isinstance(data, dict):
            raise CoreBankingUnavailable(f"HTTP {response.status_code}: not a JSON object")
        return response.status_code, data

    def _answer(self, status: int, data: dict) -> StopAnswer:
        if status != 200:
            raise CoreBankingUnavailable(f"HTTP {status}: {_clean(data.get('code'), 40)}")
        state = data.get("state")
        if state == StopState.CONFIRMED:
            reference = _clean(data.get("reference"), 40)
            if not reference:
                raise CoreBankingUnavailable("confirmed without a reference")
            raw = data.get("confirmed_at")
            confirmed_at = parse_datetime(raw) if isinstance(raw, str) else None
            if confirmed_at is not None and timezone.is_naive(confirmed_at):
                confirmed_at = None
            return StopAnswer(state=state, reference=reference, confirmed_at=confirmed_at)
        if state == StopState.ACCEPTED:
            return StopAnswer(state=state)
        if state == StopState.REFUSED:
            code = _CODE_RE.sub("", _clean(data.get("code"), 40)) or "refused"
            return StopAnswer(state=state, code=code, reason=_clean(data.get("reason"), 200))
        raise CoreBankingUnavailable(f"unknown state {_clean(state, 40)!r}")

    def request_stop(self, request: StopRequest, *, key: str) -> StopAnswer:
        """POST /stops under the request's idempotency key."""
        body = {
            "kind": request.action_kind,
            "branch": request.account_branch,
            "account": request.account_number,
            "case": request.case_id,
            "requested_by": request.requested_by,
        }
        return self._answer(*self._call("POST", "/stops", key=key, body=body))

    def stop_state(self, *, key: str) -> StopAnswer | None:
        """GET /stops/{key}; None when the core never received the request."""
        status, data = self._call("GET", f"/stops/{key}")
        if status == 404 and data.get("code") == "unknown_key":
            return None
        return self._answer(status, data)

    def lookup_customer(self, branch: str, account: str) -> CustomerRecord | None:
        """GET /customers?branch=&account=; None when the core knows no such account."""
        status, data = self._call(
            "GET", "/customers", params={"branch": branch, "account": account}
        )
        if status == 404:
            return None
        if status != 200:
            raise CoreBankingUnavailable(f"HTTP {status}")
        raw_birth = data.get("birth_date")
        try:
            birth = date.fromisoformat(raw_birth) if isinstance(raw_birth, str) else None
        except ValueError:
            birth = None
        return CustomerRecord(
            name=_clean(data.get("name"), 100),
            kana=_clean(data.get("kana"), 100),
            birth_date=birth,
            phone=_clean(data.get("phone"), 20),
            postal_code=_clean(data.get("postal_code"), 8),
            address=_clean(data.get("address"), 200),
        )


def get_adapter() -> CoreBankingAdapter:
    """The configured adapter (MAMORI_CORE_BANKING_ADAPTER)."""
    return import_string(settings.MAMORI_CORE_BANKING_ADAPTER)()
