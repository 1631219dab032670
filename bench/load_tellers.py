"""Fifty tellers at once: the whole guided intake under load, then every submitted case checked.

    .venv/bin/python bench/load_tellers.py                       # 50 tellers for 300 s, one instance
    .venv/bin/python bench/load_tellers.py --shapes 1,2          # one instance, then two
    .venv/bin/python bench/load_tellers.py --think 1,3 --duration 60   # the stress run
    .venv/bin/python bench/load_tellers.py --instances 2         # two gunicorns, two workers
    .venv/bin/python bench/load_tellers.py --tiny                # 3 tellers, 1 case each (seconds)

It uses its own database (MAMORI_BENCH_DATABASE_URL, or a throwaway ``mamori_load`` created on the
server of DATABASE_URL and dropped afterwards unless ``--keep``), migrates it and seeds the teller
accounts with an enrolled authenticator each (bench/load_accounts.py). For each shape it starts
gunicorn (production settings, plain HTTP on 127.0.0.1, a free port) and a real Celery worker per
instance against that database and the Redis of REDIS_URL, waits for /healthz, and runs the
simulated tellers (bench/locust_tellers.py, Locust as a library, in a process of its own) spread
over the instances. Each signs in through the real forms and takes whole reports, one after
another, pausing ``--think`` between pages (5–15 s, a counter's pace), until ``--duration`` is
over (no report is begun after it; a teller stopping finishes its report) or it has taken
``--cases-per-teller``. It prints each step's p50/p95 and the errors, then checks in the database
that every case whose receipt a teller saw exists exactly once, submitted, with its items, stops
and transactions, and that nothing else was submitted; it exits non-zero on any error or mismatch.
Every server it started is stopped at the end, on failure too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_queue import bench_database, drop_database  # noqa: E402
from bench.load_database import (  # noqa: E402
    check_cases,
    emails_sent,
    seed_tellers,
    setup_django,
)

BIN = Path(sys.executable).parent
# The tellers' process: the locustfile is a module, not a script (it has no command line).
RUN_TELLERS = "import sys; from bench.locust_tellers import main; main(*sys.argv[1:3])"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, what) -> None:
    """Poll until ``predicate()``; ``what`` (a string, or a function giving one) names it."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            named = what() if callable(what) else what
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {named}")
        time.sleep(0.2)


class Instance:
    """One deployment machine's processes: gunicorn and a Celery worker, logs in a folder."""

    def __init__(self, number: int, env: dict[str, str], args, folder: Path) -> None:
        self.number = number
        self.env = env
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.web_log = folder / f"gunicorn-{number}.log"
        self.worker_log = folder / f"worker-{number}.log"
        self.processes: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None

    def _start(self, command: list[str], log: Path) -> subprocess.Popen:
        with open(log, "ab") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def start(self) -> None:
        """Launch gunicorn and the worker (``wait_ready`` waits for both)."""
        self.web = self._start(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.args.workers),
                "--threads",
                str(self.args.threads),
                "--keep-alive",
                "10",
                "--no-control-socket",
            ],
            self.web_log,
        )
        self._start(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "-n",
                f"load{self.number}@%h",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            self.worker_log,
        )

    def wait_ready(self) -> None:
        web = self.web
        assert web is not None, "start() first"

        last: list[str] = ["no answer"]

        def healthy() -> bool:
            if web.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.web_log.read_text()[-3000:]}")
            try:
                # The first request loads the URLs and templates: slow on a busy machine.
                with urllib.request.urlopen(self.url + "/healthz", timeout=15) as answer:
                    return answer.status == 200
            except OSError as error:  # HTTPError (a 503 names what is down) is an OSError
                body = getattr(error, "read", lambda: b"")()
                last[0] = f"{error} {body[:200]!r}"
                return False

        # Generous: on a busy machine several Django processes booting at once take a while.
        wait_for(healthy, 180, lambda: f"gunicorn {self.number} to answer /healthz ({last[0]})")
        wait_for(
            lambda: " ready." in self.worker_log.read_text(errors="replace"),
            180,
            f"worker {self.number} to be ready",
        )

    def tasks_done(self) -> int:
        """Tasks the worker finished (its log says "succeeded" for each)."""
        if not self.worker_log.exists():
            return 0
        return self.worker_log.read_text(errors="replace").count(" succeeded in ")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes = []


def app_environment(database_url: str) -> dict[str, str]:
    """Production settings over plain HTTP on 127.0.0.1 (one-time passwords required)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "load-test-only-secret-key-for-a-private-server-0123456789",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DATABASE_URL": database_url,
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    redis = os.environ.get("REDIS_URL")
    if redis:
        env["CELERY_BROKER_URL"] = redis
    return env


def drain_queue(broker: str | None, timeout: float = 30) -> int:
    """Wait (bounded) for the workers to take every task the run queued; how many are left."""
    import redis

    client = redis.Redis.from_url(broker or "redis://127.0.0.1:6379/0")
    deadline = time.monotonic() + timeout
    try:
        while (left := int(client.llen("celery"))) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        client.close()
    return left


def run_tellers(config: dict[str, Any], folder: Path, timeout: float) -> dict[str, Any]:
    """The simulated tellers in a process of their own (Locust patches the standard library)."""
    config_path, result_path = folder / "config.json", folder / "result.json"
    config_path.write_text(json.dumps(config))
    with open(folder / "locust.log", "ab") as log:
        subprocess.run(
            [sys.executable, "-c", RUN_TELLERS, str(config_path), str(result_path)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=True,
        )
    return json.loads(result_path.read_text())


def errors_of(result: dict[str, Any]) -> int:
    """Requests answered other than a browser expects, and exceptions in the tellers' code."""
    failures = sum(step["failures"] for step in result["steps"])
    return failures + sum(exception["count"] for exception in result["exceptions"])


def print_shape(shape: int, args, result: dict[str, Any], problems: list[str]) -> None:
    submitted = result["submitted"]
    failures = errors_of(result)
    print(
        f"\n== {shape} instance{'s' if shape > 1 else ''} ({args.workers} gunicorn worker(s) x "
        f"{args.threads} threads and 1 Celery worker each): {result['signed_in']} of "
        f"{args.tellers} tellers signed in over {result['signing_in']:.0f} s, then "
        f"{result['elapsed']:.0f} s of reports; {result['requests']:,} requests, "
        f"{result['started']} reports begun, {len(submitted)} submitted =="
    )
    print(f"{'step':<36}{'requests':>9}{'errors':>8}{'p50':>9}{'p95':>9}{'max':>9}")
    for step in result["steps"]:
        print(
            f"{step['name']:<36}{step['count']:>9}{step['failures']:>8}"
            f"{step['p50']:>6.0f} ms{step['p95']:>6.0f} ms{step['max']:>6.0f} ms"
        )
    print(
        f"errors: {failures}; Celery tasks done per worker: {result['tasks']}, "
        f"left in the queue: {result['queued']}; notices' emails so far: {result['emails']}"
    )
    for error in result["errors"][:10]:
        print(f"  {error['count']} x {error['name']}: {error['error'][:200]}")
    for exception in result["exceptions"][:5]:
        print(f"  {exception['count']} x exception: {exception['message'][:200]}")
    if not submitted and not problems:
        print("exactly-once check: no case was submitted, nothing to check (a failure)")
    elif problems:
        print(f"exactly-once check FAILED: {len(problems)} problem(s)")
        for problem in problems[:20]:
            print(f"  {problem}")
    else:
        per_instance = [sum(1 for seen in submitted if seen["instance"] == n) for n in range(shape)]
        print(
            f"exactly-once check passed: {len(submitted)} cases, each stored once with its "
            f"items, stops and transactions (per instance: {per_instance})"
        )


def run_shape(shape: int, url: str, args, folder: Path) -> bool:
    """Start ``shape`` instances, run the tellers over them, stop everything; True if clean."""
    env = app_environment(url)
    instances = [Instance(n, env, args, folder) for n in range(shape)]
    try:
        started = time.monotonic()
        for instance in instances:  # all launched at once: they start side by side
            instance.start()
        for instance in instances:
            instance.wait_ready()
        print(f"\n{shape} instance(s) up in {time.monotonic() - started:.0f} s", flush=True)
        config = {
            "hosts": [instance.url for instance in instances],
            "shape": shape,
            "users": args.tellers,
            "spawn_rate": args.spawn_rate,
            "duration": args.duration,
            "cases_per_teller": args.cases_per_teller,
            "think": args.think,
            "stop_timeout": args.stop_timeout,
            "sign_in_limit": args.sign_in_limit,
        }
        # The tellers stop by themselves; this bounds a run that does not.
        limit = args.sign_in_limit + args.duration + args.stop_timeout + 120
        result = run_tellers(config, folder, timeout=limit)
        result["queued"] = drain_queue(env.get("CELERY_BROKER_URL") or env.get("REDIS_URL"))
    finally:
        for instance in instances:
            instance.stop()
    result["tasks"] = [instance.tasks_done() for instance in instances]
    result["emails"] = emails_sent()
    problems = check_cases(shape, args.tellers, result["submitted"])
    print_shape(shape, args, result, problems)
    return not problems and not errors_of(result) and bool(result["submitted"])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tellers", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load per shape")
    parser.add_argument(
        "--cases-per-teller", type=int, default=None, help="stop each teller after this many"
    )
    parser.add_argument("--instances", type=int, default=1, help="gunicorn + worker pairs")
    parser.add_argument("--shapes", default=None, help="e.g. 1,2: run each number of instances")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    # A counter's pace: 5–15 s a page is still quicker than a teller typing what a worried
    # customer says; --think 1,3 is the stress run (more than two cores serve, docs/load-test.md).
    parser.add_argument(
        "--think", default="5,15", help="a teller's pause between pages, min,max seconds"
    )
    parser.add_argument("--spawn-rate", type=float, default=2, help="tellers signing in a second")
    parser.add_argument("--sign-in-limit", type=float, default=300, help="seconds to sign in")
    parser.add_argument("--stop-timeout", type=float, default=120, help="to finish a report")
    parser.add_argument("--tiny", action="store_true", help="3 tellers, 1 case each, no pauses")
    parser.add_argument("--name", default="mamori_load", help="name of the throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.tiny:
        args.tellers, args.cases_per_teller, args.think = 3, 1, "0,0"
        args.workers, args.threads, args.spawn_rate = 1, 4, 3
    args.shapes = [int(n) for n in args.shapes.split(",")] if args.shapes else [args.instances]
    args.think = [float(n) for n in args.think.split(",")]
    if len(args.think) == 1:
        args.think *= 2
    if args.tellers < 1 or any(n < 1 for n in args.shapes):
        parser.error("--tellers and every shape must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url, created = bench_database(SimpleNamespace(name=args.name))
    setup_django(url)
    ok = True
    try:
        from django.core.management import call_command
        from django.db import connections

        started = time.monotonic()
        call_command("migrate", verbosity=0)
        seed_tellers(args.shapes, args.tellers)
        connections.close_all()
        each = f"{args.cases_per_teller} case(s) each" if args.cases_per_teller else "no limit"
        print(
            f"load test: {args.tellers} tellers, shapes {args.shapes}, at most "
            f"{args.duration:.0f} s, {each}, pauses {args.think[0]:g}–{args.think[1]:g} s between"
            f" pages; database ready in {time.monotonic() - started:.0f} s"
        )
        with tempfile.TemporaryDirectory(prefix="mamori-load-") as tmp:
            for shape in args.shapes:
                folder = Path(tmp) / f"shape-{shape}"
                folder.mkdir()
                try:
                    ok = run_shape(shape, url, args, folder) and ok
                except Exception as error:
                    ok = False
                    print(f"\n== {shape} instance(s): FAILED: {error}")
                    for log in sorted(folder.glob("*.log")):
                        print(f"--- {log.name} (end)\n{log.read_text(errors='replace')[-3000:]}")
                    print(f"== {shape} instance(s): FAILED: {error}")
                connections.close_all()
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(url)
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
