"""Server time of the supervisor's queue at a million cases, beside a floor measured in the same run.

    .venv/bin/python bench/bench_queue.py                 # 1,000,000 cases (seeding takes minutes)
    .venv/bin/python bench/bench_queue.py --cases 100000  # smaller, to try it out
    MAMORI_BENCH_DATABASE_URL=postgres://…/mamori_bench .venv/bin/python bench/bench_queue.py --keep
    .venv/bin/python bench/bench_queue.py --tiny          # a smoke run in seconds (2,000 cases)

The benchmark uses its own database: MAMORI_BENCH_DATABASE_URL, or a throwaway ``mamori_bench``
it creates on the server of DATABASE_URL and drops afterwards (``--keep`` keeps it; a kept database
with enough cases is reused). It never touches the test database.

For each page (the first page of the queue; a filtered, searched page) it prints the median and
95th percentile of the time spent inside Django (the whole middleware stack, measured by a
middleware around it) beside the floor: a minimal view running one hand-written indexed query for
the same rows with a trivial template (bench/floor.py). The target is a ratio under 1.5.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    ("first page", {}),
    ("filtered + searched", {"q": "やまだ", "kind": "cash_card", "due": "7"}),
]


def bench_database(args) -> tuple[str, bool]:
    """(URL of the bench database, whether this run created it)."""
    import environ
    import psycopg

    url = os.environ.get("MAMORI_BENCH_DATABASE_URL")
    if url:
        name = urlsplit(url).path.lstrip("/")
        if name.startswith("test_"):
            sys.exit(f"refusing to benchmark on a test database ({name})")
        return url, False
    env = environ.Env()
    env.read_env(str(ROOT / ".env"))
    base = urlsplit(env("DATABASE_URL", default="postgres://127.0.0.1:5432/mamori"))
    server = urlunsplit(base._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.name}"')
    return urlunsplit(base._replace(path="/" + args.name)), not exists


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def seeded_cases() -> int:
    """Cases seed_bench made on its branches (codes 101–120), not other benchmarks' (901…)."""
    from incidents.models import Case

    return Case.objects.filter(branch__code__range=("101", "120")).count()


def setup_django(url: str) -> None:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic needed here
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.floor"
    settings.MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *settings.MIDDLEWARE]
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.DEBUG = False
    django.setup()


def measure(client, url: str, params: dict, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        times.append(float(response["X-Server-Time"]) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--name", default="mamori_bench", help="name of the throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--tiny", action="store_true", help="a smoke run: figures, not a measure")
    args = parser.parse_args()
    if args.tiny:
        # About a tenth of the cases are open: enough that branch 101's queue shows rows.
        args.cases, args.runs = 2_000, 3

    url, created = bench_database(args)
    setup_django(url)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(url)


def run(args) -> None:
    import re

    from django.core.management import call_command
    from django.test import Client

    from incidents.models import Branch, Case, User
    from incidents.models.choices import OPEN_STATUSES

    call_command("migrate", verbosity=0)
    have = seeded_cases()
    if have < args.cases:
        started = time.monotonic()
        call_command("seed_bench", cases=args.cases - have, stdout=sys.stderr)
        print(f"seeded {args.cases - have:,} cases in {time.monotonic() - started:.0f} s")
    branch = Branch.objects.get(code="101")
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    total = Case.objects.count()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).count()
    print(
        f"{total:,} cases, {open_cases:,} open, branch {branch} has "
        f"{Case.objects.filter(branch=branch, status__in=OPEN_STATUSES).count():,} open"
    )

    client = Client()
    client.force_login(supervisor)
    rows = re.compile(r'data-testid="queue-row">.*?<a href="[^"]+">([^<]+)</a>', re.S)
    print(f"{'page':<22}{'queue median':>14}{'p95':>9}{'floor median':>14}{'p95':>9}{'ratio':>8}")
    for label, params in PAGES:
        queue_page = client.get("/queue/", params).content.decode()
        floor_page = client.get("/bench/floor/", params).content.decode()
        shown = rows.findall(queue_page)
        floor_numbers = re.findall(r"<tr><td>([^<]+)</td>", floor_page)
        assert shown == floor_numbers, (label, shown[:3], floor_numbers[:3])
        assert shown or label != "first page", "branch 101's queue shows no case"
        measure(client, "/queue/", params, 5)  # warm up caches and connections
        measure(client, "/bench/floor/", params, 5)
        queue_times, floor_times = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine
            queue_times += measure(client, "/queue/", params, 1)
            floor_times += measure(client, "/bench/floor/", params, 1)
        q_med, f_med = statistics.median(queue_times), statistics.median(floor_times)
        print(
            f"{label + f' ({len(shown)} rows)':<22}{q_med:>11.1f} ms{p95(queue_times):>6.1f} ms"
            f"{f_med:>11.1f} ms{p95(floor_times):>6.1f} ms{q_med / f_med:>8.2f}"
        )


if __name__ == "__main__":
    main()
