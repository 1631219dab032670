"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 in the test process, recording what it accepts.

It can be told to hold a reply, as a slow or stuck mail server does:

- ``EHLO``: slow to greet; the client has not handed the message over yet;
- ``DATA``: the message is received and kept, but the reply to it is held (the client cannot
  know whether it was accepted);
- ``QUIT``: the message was accepted, the close is slow.

A held reply waits until the test releases it, and never longer than ``HOLD_SECONDS``. The test
sees a hold begin through ``wait_held``. The server can also refuse every message or hang up
right after taking one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.workers import free_port

HOLD_SECONDS = 60


class MailServer:
    """An SMTP server on a free port of 127.0.0.1; ``messages()`` are those it accepted."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.refuse_with: str | None = None  # e.g. "554 5.7.1 Rejected": refuse every message
        self.hang_up_after_data = False  # take the message, then close without replying
        self._lock = threading.Lock()
        self._received: list[bytes] = []
        self._holds: set[str] = set()
        self._held = {name: threading.Event() for name in ("EHLO", "DATA", "QUIT")}
        self._released = threading.Event()
        self._controller = Controller(
            _Handler(self), hostname=self.host, port=self.port, ready_timeout=10
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self.release()
        self._controller.stop()

    def hold(self, *replies: str) -> None:
        """Hold these replies (EHLO, DATA, QUIT) from now on, until ``release``."""
        self._released.clear()
        for name in replies:
            self._held[name].clear()
        self._holds = set(replies)

    def release(self) -> None:
        """Answer every held reply now, and hold nothing more."""
        self._holds = set()
        self._released.set()

    def wait_held(self, reply: str, timeout: float) -> None:
        """Wait until a client is waiting for this held reply."""
        if not self._held[reply].wait(timeout):
            raise AssertionError(f"timed out after {timeout}s waiting for a client at {reply}")

    def messages(self) -> list[Message]:
        with self._lock:
            return [message_from_bytes(raw) for raw in self._received]

    def _record(self, raw: bytes) -> None:
        with self._lock:
            self._received.append(raw)

    async def _maybe_hold(self, reply: str) -> None:
        if reply not in self._holds:
            return
        self._held[reply].set()
        deadline = time.monotonic() + HOLD_SECONDS
        while not self._released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)


class _Handler:
    """aiosmtpd's hooks, delegating to the server's switches."""

    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        await self.server._maybe_hold("EHLO")
        return responses

    async def handle_DATA(self, server, session, envelope):
        if self.server.refuse_with:
            return self.server.refuse_with
        self.server._record(envelope.original_content or envelope.content)
        if self.server.hang_up_after_data:
            server.transport.abort()
            return "250 OK"  # never reaches the client
        await self.server._maybe_hold("DATA")
        return "250 2.0.0 OK: queued"

    async def handle_QUIT(self, server, session, envelope):
        await self.server._maybe_hold("QUIT")
        return "221 2.0.0 Bye"


@pytest.fixture
def mail_server():
    """A started SMTP server; every held reply is released and the server stopped afterwards."""
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_settings(settings, mail_server):
    """This process sends its emails with Django's SMTP backend to ``mail_server``."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = mail_server.host, mail_server.port
    settings.EMAIL_TIMEOUT = 10
    return settings
