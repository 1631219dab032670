"""Real services for the tests that need them: a private redis-server and a real Celery worker.

The worker runs ``celery -A config worker`` as a subprocess against the test database (the one
pytest-django created) and a private Redis, and writes its emails to files so the test can see
what it delivered (or sends them to a test's SMTP server: set ``environment`` before ``start``).
A test may kill it with SIGKILL and start a fresh one on the same object.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class RedisServer:
    """A private redis-server on a free port that a test can stop and start again."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="mamori-test-redis-")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.folder,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._accepts, timeout=10, interval=0.05, what="redis-server to listen")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: not self._accepts(), timeout=10, interval=0.05, what="redis to stop")

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def close(self) -> None:
        if self.process is not None:
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def celery_broker(url: str):
    """Point this process's Celery app at another broker for a while (publishing included)."""
    from config.celery_app import app

    old = app.conf.broker_url
    _switch(app, url)
    try:
        yield app
    finally:
        _switch(app, old)


def _switch(app, url: str) -> None:
    for pool in (app._pool, getattr(app.amqp, "_producer_pool", None)):
        if pool is not None:
            # A pool whose broker is gone cannot close cleanly.
            with contextlib.suppress(Exception):
                pool.force_close_all()
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def test_database_url() -> str:
    """A URL to the database this test runs in (pytest-django's test database)."""
    settings = connection.settings_dict
    user = quote(settings.get("USER") or "", safe="")
    password = quote(settings.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    # A socket directory may come as OPTIONS["host"] (a DATABASE_URL with ?host=/path).
    host = settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or ""
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    name = settings["NAME"]
    if host.startswith("/"):
        return f"postgres://{auth}/{name}?host={quote(host)}"
    return f"postgres://{auth}{host}{port}/{name}"


class LoggedProcess:
    """A subprocess writing to a log file: stopped gently, then killed; its log read back."""

    process: subprocess.Popen | None
    log_path: Path

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as ``kill -9`` or the OOM killer would: nothing runs on the way out."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        self.log_path.unlink(missing_ok=True)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Worker(LoggedProcess):
    """``celery -A config worker`` in a subprocess, with its emails written to files."""

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        self.mail_dir = Path(tempfile.mkdtemp(prefix="mamori-test-mail-"))
        self.log_path = self.mail_dir.parent / f"{self.mail_dir.name}-worker.log"
        self.process: subprocess.Popen | None = None
        # Overrides of the worker's environment (e.g. DJANGO_EMAIL_BACKEND), read at each start.
        self.environment: dict[str, str] = {}
        self.starts = 0

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DATABASE_URL": test_database_url(),
                "CELERY_BROKER_URL": self.broker_url,
                "REDIS_URL": self.broker_url,
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "DJANGO_EMAIL_FILE_PATH": str(self.mail_dir),
                "DJANGO_LOG_LEVEL": "INFO",
            }
        )
        env.update(self.environment)
        self.starts += 1
        celery = Path(sys.executable).parent / "celery"
        command = [str(celery), "-A", "config", "worker", "--pool", "solo", "-l", "info"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        # The child keeps its own copy of the log's file descriptor; a restart appends to the log.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until the worker started last consumes tasks (each start logs one "ready.")."""
        wait_for(
            lambda: self.output().count(" ready.") >= self.starts,
            timeout=timeout,
            what="the worker to be ready",
        )

    def close(self) -> None:
        super().close()
        shutil.rmtree(self.mail_dir, ignore_errors=True)

    def emails(self) -> list[Message]:
        """Every email the worker delivered (the file backend appends them, separated by dashes)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk.strip() + b"\n"))
        return messages


def decoded_subject(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"] or "")))


def decoded_body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    if not isinstance(payload, bytes):  # None for an empty body
        payload = b""
    return payload.decode(message.get_content_charset() or "utf-8")


# Fixtures, imported by the test modules that start real services.


@pytest.fixture
def redis_server():
    """A private redis-server, started; the test may stop and start it."""
    server = RedisServer()
    server.start()
    yield server
    server.close()


@pytest.fixture
def broker(redis_server):
    """This process publishes its Celery tasks to the private Redis for the test."""
    with celery_broker(redis_server.url):
        yield redis_server


@pytest.fixture
def worker(broker, transactional_db):
    """A real worker on the private Redis and the test database; the test starts it.

    Stopped before the test database is flushed (it depends on transactional_db).
    """
    process = Worker(broker.url)
    yield process
    process.close()
