"""How the deadline scan's cost grows with the table: 10,000 vs 1,000,000 owed deadlines, 1,000 due.

    .venv/bin/python bench/bench_scan.py
    .venv/bin/python bench/bench_scan.py --tiny   # a smoke run in seconds (400 deadlines, 20 due)

Seeds, with bulk ``INSERT … SELECT generate_series``, 10,000 owed deadlines of which 1,000 are due
(500 need their reminder, 500 are past due and get marked overdue and escalated), times the scan,
then adds 990,000 deadlines that are not due (the same 1,000 stay due), and times the same scan
again. Two figures each time, medians of several runs:

- selection: the indexed read of what is due (``deadlines_due_ids``), the part that could grow
  with the table;
- full scan: ``deadlines_scan`` doing all 1,000 deadlines' steps with their notices and timeline
  lines (the due rows are put back between runs).

The ratio 1M / 10k should stay under 1.5. The database is a throwaway one created on the server of
DATABASE_URL and dropped at the end, or the one named by MAMORI_BENCH_DATABASE_URL (kept; its
deadline tables are emptied first). Emails go to an in-memory broker. Prints figures; not a test.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DUE = 1_000
SMALL = 10_000
LARGE = 1_000_000
KINDS = ("police_report", "customer_documents", "after_hours_pickup", "supervisor_review")
SELECTION_RUNS = 50
SCAN_RUNS = 3


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


def main() -> int:
    global DUE, SMALL, LARGE, SELECTION_RUNS, SCAN_RUNS
    if "--tiny" in sys.argv[1:]:  # a smoke run: figures, not a measure (tests/test_bench_smoke.py)
        DUE, SMALL, LARGE, SELECTION_RUNS, SCAN_RUNS = 20, 100, 400, 3, 1
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
        return run()
    finally:
        if throwaway:
            from django.db import connections

            connections.close_all()
            _admin(_base_database_url(), f'DROP DATABASE IF EXISTS "{throwaway}"')


def run() -> int:
    import logging

    import django

    django.setup()
    logging.getLogger("notifications").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    ids = seed_people()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE incidents_deadline, notifications_notification")
    postgres = cast("PostgresWrapper", connection)  # the bench runs on PostgreSQL only
    print(
        f"PostgreSQL {postgres.pg_version // 10000}, scan at {timezone.localtime(now):%Y-%m-%d %H:%M}"
    )
    print(f"seeding {SMALL:,} owed deadlines, {DUE:,} of them due …", flush=True)
    started = time.perf_counter()
    add_deadlines(ids, 0, SMALL, now, due=DUE)
    print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)
    snapshot = due_snapshot(now)
    small = measure(now, snapshot)
    print(f"adding {LARGE - SMALL:,} more owed deadlines, none due …", flush=True)
    started = time.perf_counter()
    add_deadlines(ids, SMALL, LARGE, now, due=0)
    print(f"  seeded in {time.perf_counter() - started:.1f}s", flush=True)
    large = measure(now, snapshot)
    report(small, large, now)
    return 0


def seed_people() -> dict[str, int]:
    from incidents.models import Branch, User

    branch, _created = Branch.objects.get_or_create(code="901", defaults={"name": "ベンチ支店"})
    people = {}
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
        people[role] = user.pk
    return {"branch": branch.pk, **people}


def add_deadlines(ids: dict[str, int], start: int, stop: int, now, *, due: int) -> None:
    """Deadlines start..stop-1, four kinds per case; the first ``due`` of them are due at ``now``."""
    from django.db import connection

    first_case, last_case = start // len(KINDS), (stop - 1) // len(KINDS)
    far = now + timedelta(days=365)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO incidents_case (
                id, number, year, sequence, status, intake_token, intake_step, after_hours,
                channel, reporter_relation, reporter_name, reporter_phone, notified_at,
                customer_number, customer_type, customer_name, customer_name_kana, customer_phone,
                police_status, police_station, police_receipt_number, checklist,
                online_banking_factors, circumstances_note, submitted_at, created_at, updated_at,
                version, branch_id, created_by_id, assigned_to_id, submitted_by_id, search_text)
            SELECT 1000000 + g, 'B-' || g, 2026, 1000000 + g, 'reported', gen_random_uuid(),
                'submitted', false, 'counter', 'self', '', '', %(now)s, '', 'individual',
                'ベンチ 太郎', 'ベンチ タロウ', '', 'not_yet', '', '', '{}', '{}', '', %(now)s,
                %(now)s, %(now)s, 1, %(branch)s, %(teller)s, %(teller)s, %(teller)s, ''
            FROM generate_series(%(first)s, %(last)s) AS g
            ON CONFLICT (id) DO NOTHING
            """,
            {"now": now, "first": first_case, "last": last_case, **ids},
        )
        # Due ones: even numbers need their reminder, odd ones are past due.
        cursor.execute(
            """
            INSERT INTO incidents_deadline (
                case_id, kind, due_at, state, owner_id, branch_id, reminded_at, escalation_level,
                escalated_at, next_action_at, closed_at, created_at)
            SELECT 1000000 + g / 4, (%(kinds)s::text[])[g %% 4 + 1],
                CASE WHEN g < %(start)s + %(due)s THEN
                    CASE WHEN g %% 2 = 0 THEN %(now)s + interval '2 hours'
                         ELSE %(now)s - interval '5 minutes' END
                ELSE %(far)s + (g %% 1000) * interval '1 minute' END,
                'open', %(teller)s, %(branch)s, NULL, 0, NULL,
                CASE WHEN g < %(start)s + %(due)s THEN %(now)s - interval '5 minutes'
                     ELSE %(far)s - interval '1 day' + (g %% 1000) * interval '1 minute' END,
                NULL, %(now)s
            FROM generate_series(%(start)s, %(stop)s - 1) AS g
            """,
            {
                "kinds": list(KINDS),
                "start": start,
                "stop": stop,
                "due": due,
                "now": now,
                "far": far,
                **ids,
            },
        )
        cursor.execute("VACUUM ANALYZE incidents_case")
        cursor.execute("VACUUM ANALYZE incidents_deadline")


def reset_due(snapshot: list[tuple]) -> None:
    """Put the due deadlines back as they were, and drop the notices the scan wrote."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE incidents_deadline SET state = 'open', reminded_at = NULL, "
            "escalation_level = 0, escalated_at = NULL, next_action_at = %s WHERE id = %s",
            [(next_action_at, pk) for pk, next_action_at in snapshot],
        )
        cursor.execute("DELETE FROM notifications_notification")
        # The updates leave dead index entries behind; production has autovacuum for these.
        cursor.execute("VACUUM incidents_deadline")


def due_snapshot(now) -> list[tuple]:
    """The due deadlines as seeded, to put them back between runs."""
    from incidents.deadlines import deadlines_due_ids
    from incidents.models import Deadline

    due_ids = deadlines_due_ids(now=now)
    assert len(due_ids) == DUE, len(due_ids)
    return list(Deadline.objects.filter(pk__in=due_ids).values_list("pk", "next_action_at"))


def measure(now, snapshot: list[tuple]) -> dict[str, float]:
    from incidents.deadlines import deadlines_due_ids, deadlines_scan
    from incidents.models import Deadline

    count = Deadline.objects.count()
    reset_due(snapshot)
    deadlines_scan(now=now)  # warm up: imports, templates, connections
    reset_due(snapshot)
    selection = []
    for _run in range(SELECTION_RUNS):
        started = time.perf_counter()
        found = deadlines_due_ids(now=now)
        selection.append(time.perf_counter() - started)
        assert len(found) == DUE
    scans = []
    for _run in range(SCAN_RUNS):
        reset_due(snapshot)
        started = time.perf_counter()
        result = deadlines_scan(now=now)
        scans.append(time.perf_counter() - started)
        summary = result.summary()
        assert summary["examined"] == DUE, summary
        assert summary["reminded"] == DUE // 2 and summary["escalated"] == DUE // 2, summary
    reset_due(snapshot)  # leave them due, for the plan printed at the end
    print(
        f"  {count:>9,} deadlines: selection {statistics.median(selection) * 1000:8.2f} ms, "
        f"full scan {statistics.median(scans):6.2f} s "
        f"({summary['reminded']} reminded, {summary['overdue']} overdue, "
        f"{summary['escalated']} escalated)",
        flush=True,
    )
    return {
        "count": count,
        "selection": statistics.median(selection),
        "selection_min": min(selection),
        "scan": statistics.median(scans),
        "scan_min": min(scans),
    }


def report(small: dict, large: dict, now) -> None:
    from django.db import connection

    from incidents.models import Deadline

    query = Deadline.objects.filter(next_action_at__lte=now).order_by("next_action_at")
    sql, params = query.values_list("pk", flat=True)[:5000].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\nplan of the selection at 1,000,000:")
    for line in plan:
        print(f"  {line}")
    print()
    print(f"{'':<28}{'10,000':>12}{'1,000,000':>12}{'ratio':>8}")
    for label, key, unit, scale in (
        ("selection (median)", "selection", "ms", 1000),
        ("selection (best)", "selection_min", "ms", 1000),
        ("full scan of 1,000 (median)", "scan", "s", 1),
        ("full scan of 1,000 (best)", "scan_min", "s", 1),
    ):
        ratio = large[key] / small[key]
        print(
            f"{label:<28}{small[key] * scale:>10.2f}{unit:<2}{large[key] * scale:>10.2f}{unit:<2}"
            f"{ratio:>8.2f}{'  ok' if ratio < 1.5 else '  ABOVE 1.5'}"
        )


if __name__ == "__main__":
    sys.exit(main())
