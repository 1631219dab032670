"""A real webhook receiver on loopback: verifies each post's signature as docs/webhooks.md tells a
receiver to, records what it accepted, answers with the statuses a test queues, and can be
stopped and started again on the same port."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.workers import free_port, wait_for
from webhooks.signing import signature_verify


@dataclass(frozen=True)
class Received:
    """One post the receiver accepted (its signature held)."""

    event_id: str
    event_type: str
    body: dict
    raw: bytes
    timestamp: str
    signature: str


class Receiver:
    """``http://127.0.0.1:<port>/hook``: 200 for a correctly signed post unless a status is queued."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.port = free_port()
        self.accepted: list[Received] = []
        self.refused_signatures = 0
        self.answers: list[int] = []  # statuses to answer next, one per post, before 200s
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                signed = signature_verify(
                    secret=receiver.secret,
                    header=self.headers.get("Mamori-Signature", ""),
                    timestamp=self.headers.get("Mamori-Timestamp", ""),
                    body=raw,
                    now=time.time(),
                )
                with receiver._lock:
                    if not signed:
                        receiver.refused_signatures += 1
                        status = 400
                    elif receiver.answers:
                        status = receiver.answers.pop(0)
                    else:
                        status = 200
                        receiver.accepted.append(
                            Received(
                                event_id=self.headers["Mamori-Event-Id"],
                                event_type=self.headers["Mamori-Event-Type"],
                                body=json.loads(raw),
                                raw=raw,
                                timestamp=self.headers["Mamori-Timestamp"],
                                signature=self.headers["Mamori-Signature"],
                            )
                        )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def event_ids(self) -> list[str]:
        with self._lock:
            return [post.event_id for post in self.accepted]

    def wait_for_count(self, count: int, timeout: float) -> None:
        wait_for(lambda: len(self.event_ids()) >= count, timeout=timeout, what=f"{count} posts")
