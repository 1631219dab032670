"""The simulator's HTTP server: stops by idempotency key, their state, customers, and a control panel.

State is kept in memory, under one lock; ``ThreadingHTTPServer`` answers each request in a thread.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from coresim.customers import CUSTOMERS

JST = timezone(timedelta(hours=9))
MODES = ("normal", "accept", "slow", "refuse", "unknown_account", "fail", "hold")
_KEY_RE = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_KIND_RE = re.compile(r"[a-z_]{1,40}")
MAX_BODY = 16 * 1024


@dataclass
class Stop:
    """One stop the core made (or refused), under the key it was asked with."""

    key: str
    kind: str
    branch: str
    account: str
    state: str  # confirmed | accepted | refused
    reference: str = ""
    confirmed_at: str = ""
    code: str = ""
    reason: str = ""
    confirm_on_query: bool = False

    def answer(self) -> dict[str, Any]:
        body: dict[str, Any] = {"key": self.key, "state": self.state}
        if self.state == "confirmed":
            body.update(reference=self.reference, confirmed_at=self.confirmed_at)
        if self.state == "refused":
            body.update(code=self.code, reason=self.reason)
        return body


@dataclass
class Core:
    """The simulator's memory: its mode, the stops by key, and how many stops each key made."""

    mode: str = "normal"
    delay_ms: int = 0
    stops: dict[str, Stop] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)
    serial: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reference(self) -> str:
        self.serial += 1
        return f"CB-{datetime.now(JST):%Y%m%d}-{self.serial:06d}"


class Handler(BaseHTTPRequestHandler):
    """The protocol's endpoints; every answer is JSON."""

    server: CoreServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # Plumbing.

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, reason: str) -> None:
        self._send(status, {"code": code, "reason": reason})

    def _body(self) -> dict[str, Any] | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            return None
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw.decode())
        except (UnicodeDecodeError, ValueError):
            return None
        return body if isinstance(body, dict) else None

    def _wait(self) -> None:
        core = self.server.core
        if core.mode == "slow" and core.delay_ms > 0:
            time.sleep(core.delay_ms / 1000)

    # Routes.

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_control/stats":
            core = self.server.core
            with core.lock:
                made = dict(core.made)
                body = {"mode": core.mode, "stops": made, "total": sum(made.values())}
            self._send(HTTPStatus.OK, body)
        elif url.path.startswith("/stops/"):
            self._wait()
            self._stop_state(url.path.removeprefix("/stops/"))
        elif url.path == "/customers":
            self._wait()
            self._customer(parse_qs(url.query))
        elif url.path == "/health":
            self._send(HTTPStatus.OK, {"state": "up"})
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such endpoint")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/_control":
            self._control()
        elif url.path == "/stops":
            self._wait()
            self._request_stop()
        else:
            self._error(HTTPStatus.NOT_FOUND, "not_found", "no such endpoint")

    def _control(self) -> None:
        body = self._body()
        core = self.server.core
        if body is None or body.get("mode") not in MODES:
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", f"mode is one of {MODES}")
            return
        delay = body.get("ms", 0)
        if not isinstance(delay, int) or not 0 <= delay <= 600_000:
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", "ms is 0..600000")
            return
        with core.lock:
            core.mode, core.delay_ms = body["mode"], delay
            if body.get("reset"):
                core.stops.clear()
                core.made.clear()
        self._send(HTTPStatus.OK, {"mode": core.mode, "ms": core.delay_ms})

    def _request_stop(self) -> None:
        core = self.server.core
        key = self.headers.get("Idempotency-Key", "")
        body = self._body()
        if not _KEY_RE.fullmatch(key):
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", "Idempotency-Key is required")
            return
        if body is None:
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", "the body is a JSON object")
            return
        kind, branch, account = body.get("kind"), body.get("branch"), body.get("account")
        if not (
            isinstance(kind, str)
            and _KIND_RE.fullmatch(kind)
            and isinstance(branch, str)
            and isinstance(account, str)
        ):
            self._error(HTTPStatus.BAD_REQUEST, "bad_request", "kind, branch and account")
            return
        if core.mode == "fail":
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "simulated failure")
            return
        with core.lock:
            earlier = core.stops.get(key)
            if earlier is not None:
                if (earlier.kind, earlier.branch, earlier.account) != (kind, branch, account):
                    self._error(HTTPStatus.CONFLICT, "key_reused", "key used for another stop")
                    return
                self._send(HTTPStatus.OK, earlier.answer())
                return
            stop = Stop(key=key, kind=kind, branch=branch, account=account, state="confirmed")
            # Any account can be stopped (a receiving account is named by its branch's name);
            # the mode says when the core knows none.
            if core.mode == "unknown_account" or not branch.strip() or not account.strip():
                stop.state, stop.code, stop.reason = (
                    "refused",
                    "unknown_account",
                    "口座がありません",
                )
            elif core.mode == "refuse":
                stop.state, stop.code = "refused", "refused"
                stop.reason = "勘定系で受け付けられません（取引制限中）"
            else:
                core.made[key] = core.made.get(key, 0) + 1
                if core.mode in ("accept", "hold"):
                    stop.state = "accepted"
                    stop.confirm_on_query = core.mode == "accept"
                else:
                    self._confirm(stop)
            core.stops[key] = stop
            answer = stop.answer()
        self._send(HTTPStatus.OK, answer)

    def _confirm(self, stop: Stop) -> None:
        stop.state = "confirmed"
        stop.reference = self.server.core.next_reference()
        stop.confirmed_at = datetime.now(JST).isoformat(timespec="seconds")

    def _stop_state(self, key: str) -> None:
        core = self.server.core
        if core.mode == "fail":
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "simulated failure")
            return
        with core.lock:
            stop = core.stops.get(key)
            if stop is None:
                self._error(HTTPStatus.NOT_FOUND, "unknown_key", "no stop under this key")
                return
            if stop.state == "accepted" and stop.confirm_on_query and core.mode != "hold":
                self._confirm(stop)
            answer = stop.answer()
        self._send(HTTPStatus.OK, answer)

    def _customer(self, query: dict[str, list[str]]) -> None:
        core = self.server.core
        if core.mode == "fail":
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "simulated failure")
            return
        branch = (query.get("branch") or [""])[0]
        account = (query.get("account") or [""])[0]
        customer = CUSTOMERS.get((branch, account))
        if customer is None or core.mode == "unknown_account":
            self._error(HTTPStatus.NOT_FOUND, "unknown_account", "口座がありません")
            return
        self._send(HTTPStatus.OK, {"branch": branch, "account": account, **customer})


class CoreServer(ThreadingHTTPServer):
    """The HTTP server with the simulator's memory attached."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.core = Core()
        self.verbose = verbose
