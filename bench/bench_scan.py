"""The deadline scan against its floor, its selection at two table sizes, and a burst.

    .venv/bin/python bench/bench_scan.py --tiny    # seconds: 200 and 800 deadlines, 50 due, a burst of 300
    .venv/bin/python bench/bench_scan.py           # full: 10,000 and 1,000,000 deadlines, 1,000 due, a burst of 50,000
    .venv/bin/python bench/bench_scan.py --deadlines 5000 --large 20000 --due 500 --burst 10000

Seeds owed deadlines (four per case) through the models (``incidents/devdata/scandata.py``:
``bulk_create`` of model instances, so every column the models have is filled as for real cases),
``--due`` of them due (half need their reminder, half are past due and get marked overdue and
escalated: 1.5 steps per due deadline). Then, at ``--deadlines`` and again at ``--large`` rows:

- selection: the indexed read of what is due (``deadlines_due_ids``), the part that could grow with
  the table; the ratio large / small should stay under 1.5;
- floor: what the scan cannot do without — one ``UPDATE … RETURNING`` of the due rows and one
  multi-row ``INSERT`` of a notice for each — measured in the same run;
- scan: ``deadlines_scan`` taking every due step with its notices, timeline lines and the hand-over
  of the emails; its ratio to the floor should stay under 10.

Last, a burst (``--burst`` deadlines due at once, as after a long weekend) is scanned as beat would:
one run with the default budgets, then further runs until nothing is due; it prints how long the
first run took against the beat interval and checks that no notice was written twice.

Seeding skips the case table's history trigger with ``pgtrigger.ignore`` (the bypass pgtrigger
documents; synthetic cases have no history); it first times a few hundred cases with the trigger and
without, and prints what production pays per case. The database is a throwaway one created on the
server of DATABASE_URL and dropped at the end, or the one named by MAMORI_BENCH_DATABASE_URL (kept;
its deadline, notice and timeline tables are emptied first). Emails go to an in-memory broker.
Prints figures; fails on an exception, not on a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"deadlines": 10_000, "large": 1_000_000, "due": 1_000, "burst": 50_000}
TINY = {"deadlines": 200, "large": 800, "due": 50, "burst": 300}
SELECTION_RUNS = 30
SCAN_RUNS = 3
TRIGGER_SAMPLE = 300  # cases timed with and without the history trigger
BEAT_INTERVAL = 60.0  # seconds, config/settings/base.py CELERY_BEAT_SCHEDULE


def _base_database_url() -> str:
    import environ

    env = environ.Env()
    if (ROOT / ".env").is_file():
        env.read_env(str(ROOT / ".env"))
    return env("DATABASE_URL", default="postgres://127.0.0.1:5432/mamori")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(conninfo.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the smoke sizes: " + str(TINY))
    parser.add_argument("--deadlines", type=int, help="the small table (default 10,000)")
    parser.add_argument("--large", type=int, help="the large table (default 1,000,000)")
    parser.add_argument("--due", type=int, help="due deadlines in both (default 1,000)")
    parser.add_argument("--burst", type=int, help="due at once in the burst (default 50,000)")
    args = parser.parse_args(argv)
    sizes = TINY if args.tiny else FULL
    for name, default in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.large = max(args.large, args.deadlines, args.burst)
    if args.due > args.deadlines:
        parser.error("--due cannot exceed --deadlines")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    given = os.environ.get("MAMORI_BENCH_DATABASE_URL")
    throwaway = None
    if given:
        url = given
    else:
        base = _base_database_url()
        throwaway = f"mamori_bench_scan_{os.getpid()}"
        _admin(base, f'CREATE DATABASE "{throwaway}"')
        url = _with_database(base, throwaway)
    os.environ["DATABASE_URL"] = url
    os.environ["CELERY_BROKER_URL"] = "memory://localhost/"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    try:
        return run(args)
    finally:
        if throwaway:
            from django.db import connections

            connections.close_all()
            _admin(_base_database_url(), f'DROP DATABASE IF EXISTS "{throwaway}"')


def run(args: argparse.Namespace) -> int:
    import logging

    import django

    django.setup()
    logging.getLogger("notifications").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    people = seed_people()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE incidents_deadline, notifications_notification, incidents_timelineevent"
        )
    postgres = cast("PostgresWrapper", connection)  # the bench runs on PostgreSQL only
    print(
        f"PostgreSQL {postgres.pg_version // 10000}, scan at {timezone.localtime(now):%Y-%m-%d %H:%M}"
        f" ({'in' if people['branch_hours'] else 'after'} branch hours)"
    )
    trigger_cost(people)
    print(f"seeding {args.deadlines:,} owed deadlines, {args.due:,} of them due …", flush=True)
    started = time.perf_counter()
    seeded = add_deadlines(people, 0, args.deadlines, now, due=args.due)
    due_ids = seeded[: args.due]
    print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)
    small = measure(now, due_ids)
    print(f"adding {args.large - args.deadlines:,} more owed deadlines, none due …", flush=True)
    started = time.perf_counter()
    more = add_deadlines(people, args.deadlines, args.large, now, due=0)
    print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)
    large = measure(now, due_ids)
    report(small, large, now)
    burst(now, (seeded + more)[: args.burst])
    return 0


def seed_people() -> dict[str, Any]:
    from django.utils import timezone

    from incidents.deadlines.calendar import is_branch_hours
    from incidents.models import Branch, User

    branch, _created = Branch.objects.get_or_create(code="901", defaults={"name": "ベンチ支店"})
    people: dict[str, Any] = {"branch": branch, "branch_hours": is_branch_hours(timezone.now())}
    for username, role in (
        ("bench_teller", "teller"),
        ("bench_supervisor", "supervisor"),
        ("bench_monitoring", "monitoring"),
        ("bench_compliance", "compliance"),
    ):
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "branch": branch if role in ("teller", "supervisor") else None,
                "email": f"{username}@bank.example",
            },
        )
        people[role] = user
    people["next_case"] = 0
    return people


def trigger_cost(people: dict[str, Any]) -> None:
    """Time cases inserted with the history trigger and without: what production pays per case."""
    from django.db import transaction

    from incidents.devdata import scandata

    timings = {}
    for history in (True, False):
        with transaction.atomic():
            started = time.perf_counter()
            scandata.cases_bulk(
                branch=people["branch"],
                creator=people["teller"],
                count=TRIGGER_SAMPLE,
                start=people["next_case"],
                history=history,
            )
            timings[history] = (time.perf_counter() - started) / TRIGGER_SAMPLE
            transaction.set_rollback(True)
    print(
        f"case insert, {TRIGGER_SAMPLE} in one bulk_create: with the history trigger (what "
        f"production pays) {timings[True] * 1000:.3f} ms a case, without (pgtrigger.ignore, the "
        f"seeding) {timings[False] * 1000:.3f} ms a case; the trigger adds "
        f"{(timings[True] - timings[False]) * 1000:.3f} ms a case",
        flush=True,
    )


def add_deadlines(people: dict[str, Any], start: int, stop: int, now, *, due: int) -> list[int]:
    """Deadlines start..stop-1, four kinds per case; the first ``due`` of them due at ``now``."""
    from django.db import connection, transaction

    from incidents.devdata import scandata

    kinds = len(scandata.KINDS)
    cases = -(-(stop - start) // kinds)
    with transaction.atomic():
        case_ids = scandata.cases_bulk(
            branch=people["branch"],
            creator=people["teller"],
            count=cases,
            start=people["next_case"],
            history=False,
        )
        people["next_case"] += cases
        ids = scandata.deadlines_bulk(
            case_ids=case_ids,
            owner=people["teller"],
            branch=people["branch"],
            now=now,
            due=due,
            far=now + timedelta(days=365),
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_case")
        cursor.execute("VACUUM ANALYZE incidents_deadline")
    return ids[: stop - start]


def reset(due_ids: list[int], now) -> None:
    """Put the due deadlines back as they were; drop the notices and lines the scan wrote."""
    from django.db import connection

    from incidents.devdata import scandata

    scandata.deadlines_make_due(ids=due_ids, now=now)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE notifications_notification")
        # The timeline is append-only (its trigger refuses DELETE); TRUNCATE fires no row trigger.
        cursor.execute("TRUNCATE incidents_timelineevent")
        # The updates leave dead index entries behind; production has autovacuum for these.
        cursor.execute("VACUUM ANALYZE incidents_deadline")


def floor(now, owner_id: int) -> float:
    """One UPDATE … RETURNING of the due rows, one multi-row INSERT of a notice each; committed."""
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE incidents_deadline SET reminded_at = %s, next_action_at = NULL "
            "WHERE next_action_at <= %s RETURNING id",
            [now, now],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO notifications_notification (recipient_id, kind, title, body, url, "
            "link_label, created_at, dedupe_key, email_state, email_attempts, email_due_at, "
            "email_error) SELECT %s, 'reminder', 'floor ' || d, '', '', '', %s, "
            "'floor:' || d, 'pending', 0, %s, '' FROM unnest(%s::bigint[]) AS d",
            [owner_id, now, now, ids],
        )
    return time.perf_counter() - started


def measure(now, due_ids: list[int]) -> dict[str, float]:
    from incidents.deadlines import deadlines_due_ids, deadlines_scan
    from incidents.models import Deadline, User

    count = Deadline.objects.count()
    owner = User.objects.get(username="bench_teller").pk
    due = len(due_ids)
    reset(due_ids, now)
    deadlines_scan(now=now)  # warm up: imports, translations, connections
    reset(due_ids, now)
    selection = []
    for _run in range(SELECTION_RUNS):
        started = time.perf_counter()
        found = deadlines_due_ids(now=now, limit=max(5000, due))
        selection.append(time.perf_counter() - started)
        assert len(found) == due, (len(found), due)
    floors, scans = [], []
    for _run in range(SCAN_RUNS):
        reset(due_ids, now)
        floors.append(floor(now, owner))
        reset(due_ids, now)
        started = time.perf_counter()
        result = deadlines_scan(now=now)
        scans.append(time.perf_counter() - started)
        summary = result.summary()
        assert summary["examined"] == due, summary
        assert summary["reminded"] == (due + 1) // 2, summary
        assert summary["escalated"] == due // 2, summary
    reset(due_ids, now)  # leave them due, for the plan printed at the end
    scan, base = statistics.median(scans), statistics.median(floors)
    print(
        f"  {count:>9,} deadlines: selection {statistics.median(selection) * 1000:8.2f} ms, "
        f"floor {base * 1000:8.1f} ms, scan {scan * 1000:8.1f} ms ({scan / base:.1f}× the floor; "
        f"{summary['reminded']} reminded, {summary['overdue']} overdue, "
        f"{summary['escalated']} escalated)",
        flush=True,
    )
    return {
        "count": count,
        "due": due,
        "selection": statistics.median(selection),
        "selection_min": min(selection),
        "floor": base,
        "scan": scan,
    }


def report(small: dict, large: dict, now) -> None:
    from django.db import connection

    from incidents.models import Deadline

    query = Deadline.objects.filter(next_action_at__lte=now).order_by("next_action_at")
    sql, params = query.values_list("pk", flat=True)[:5000].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\nplan of the selection at {large['count']:,}:")
    for line in plan:
        print(f"  {line}")
    print()
    print(f"{'':<30}{small['count']:>12,}{large['count']:>12,}{'ratio':>8}")
    for label, key in (("selection (median)", "selection"), ("selection (best)", "selection_min")):
        ratio = large[key] / small[key]
        print(
            f"{label:<30}{small[key] * 1000:>10.2f}ms{large[key] * 1000:>10.2f}ms{ratio:>8.2f}"
            f"{'  ok' if ratio <= 1.5 else '  ABOVE 1.5'}"
        )
    print(f"\n{'':<30}{'floor':>12}{'scan':>12}{'ratio':>8}   ({small['due']:,} due)")
    for figures in (small, large):
        ratio = figures["scan"] / figures["floor"]
        print(
            f"{'at ' + format(figures['count'], ',') + ' deadlines':<30}"
            f"{figures['floor'] * 1000:>10.1f}ms{figures['scan'] * 1000:>10.1f}ms{ratio:>8.2f}"
            f"{'  ok' if ratio <= 10 else '  ABOVE 10'}"
        )


def burst(now, ids: list[int]) -> None:
    """``ids`` due at once: one run as beat starts it, then runs until nothing is due; no notice
    twice."""
    from django.db.models import Count

    from incidents.deadlines import deadlines_scan
    from incidents.deadlines.scan import TIME_BUDGET
    from incidents.models import Deadline
    from notifications.models import Notification

    print(f"\nburst: {len(ids):,} deadlines due at once …", flush=True)
    reset(ids, now)
    started = time.perf_counter()
    first = deadlines_scan(now=now)
    took = time.perf_counter() - started
    runs, examined = 1, first.examined
    while Deadline.objects.filter(next_action_at__lte=now).exists():
        examined += deadlines_scan(now=now).examined
        runs += 1
    steps = (len(ids) + 1) // 2 + 2 * (len(ids) // 2)
    notices = Notification.objects.count()
    doubled = (
        Notification.objects.values("dedupe_key").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    verdict = (
        "within one beat interval"
        if not first.left_for_next_run
        else f"stopped at its budget ({TIME_BUDGET.total_seconds():.0f} s), rest handed on"
    )
    print(
        f"  first run: {first.examined:,} deadlines in {took:.1f}s, {first.batches} batches, "
        f"{first.examined / took:,.0f} a second — {verdict} (beat: every {BEAT_INTERVAL:.0f} s)"
    )
    print(
        f"  {runs} run(s) in all examined {examined:,}; {notices:,} notices for {steps:,} steps; "
        f"{doubled} written twice"
    )
    assert notices == steps and doubled == 0, (notices, steps, doubled)


if __name__ == "__main__":
    sys.exit(main())
