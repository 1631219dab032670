"""Server time of the statistics and the dashboard at a million cases, beside a reference
measured in the same run (a bare COUNT over the same rows).

    .venv/bin/python bench/bench_reports.py                  # 1,000,000 cases (seeding: minutes)
    .venv/bin/python bench/bench_reports.py --cases 100000   # smaller, to try it out
    .venv/bin/python bench/bench_reports.py --keep           # keep the database for reruns
    .venv/bin/python bench/bench_reports.py --tiny           # a smoke run in seconds (200 cases)

The benchmark uses its own database: MAMORI_BENCH_DATABASE_URL, or a throwaway
``mamori_bench_reports`` it creates on the server of DATABASE_URL and drops afterwards (``--keep``
keeps it; a kept database with enough cases is reused). It never touches the test database.

It seeds the cases (``seed_bench``: 20 branches, five years, one case in 16 corporate, transfers
to many receiving accounts with some recovered) and the decisions (``seed_bench_compensation``),
vacuums (index-only scans need the visibility map, as autovacuum keeps it in production),
refreshes the dashboard's snapshot (timed: beat does it every few minutes), then measures, for a
full fiscal year (the last complete one), the time inside Django (the whole middleware stack) of:

- the statistics page for all branches (compliance) and for one branch (its supervisor), and the
  association CSV for all branches — target under two seconds;
- the dashboard for all branches and for one branch — target under 100 ms;
- the statistics page refusing its period (no figures): what any request costs here (sessions,
  middleware, the page's frame), the part of each ratio the statistics cannot lower;

each beside its reference, timed interleaved with it: for the statistics, ``SELECT count(*)`` of
the fiscal year's transactions joined to their cases; for the dashboard, ``SELECT count(*)`` of
the open cases.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_queue import bench_database, drop_database, p95, seeded_cases  # noqa: E402


def setup_django(url: str) -> None:
    import os
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django
    from django.conf import settings

    settings.MIDDLEWARE = ["bench.timing.ServerTimingMiddleware", *settings.MIDDLEWARE]
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.DEBUG = False
    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7, help="runs of each statistics page")
    parser.add_argument("--dashboard-runs", type=int, default=40)
    parser.add_argument("--name", default="mamori_bench_reports", help="throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--tiny", action="store_true", help="a smoke run: figures, not a measure")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.runs, args.dashboard_runs = 200, 2, 2

    url, created = bench_database(args)
    setup_django(url)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(url)


def server_ms(client, url: str, params: dict) -> float:
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return float(response["X-Server-Time"]) * 1000


def reference_ms(sql: str, params: list) -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure(client, url, params, sql, sql_params, runs):
    server_ms(client, url, params)  # warm up caches and connections
    reference_ms(sql, sql_params)
    pages, references = [], []
    for _ in range(runs):  # interleaved, so both see the same machine
        pages.append(server_ms(client, url, params))
        references.append(reference_ms(sql, sql_params))
    return pages, references


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from compensation.models import Decision
    from compensation.reports.dashboard import dashboard_refresh
    from compensation.reports.periods import Period, current_fiscal_year
    from incidents.models import Branch, Case, UnauthorizedTransaction, User
    from incidents.models.choices import OPEN_STATUSES, Role

    call_command("migrate", verbosity=0)
    have = seeded_cases()
    if have < args.cases:
        started = time.monotonic()
        call_command("seed_bench", cases=args.cases - have, stdout=sys.stderr)
        print(f"seeded {args.cases - have:,} cases in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    call_command("seed_bench_compensation", stdout=sys.stderr)
    print(f"decisions seeded in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        for table in (
            "incidents_case",
            "incidents_reporteditem",
            "incidents_unauthorizedtransaction",
            "incidents_deadline",
            "compensation_decision",
            "compensation_caseassessment",
            "compensation_statisticsquarter",
            "compensation_statisticscase",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    started = time.perf_counter()
    dashboard_refresh()
    refresh_s = time.perf_counter() - started

    year = current_fiscal_year() - 1
    period = Period.fiscal_year(year)
    branch = Branch.objects.get(code="101")
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    compliance, _created = User.objects.get_or_create(
        username="bench_compliance", defaults={"role": Role.COMPLIANCE}
    )
    in_year = UnauthorizedTransaction.objects.filter(
        occurred_at__gte=period.start_at(), occurred_at__lt=period.end_at()
    ).count()
    print(
        f"{Case.objects.count():,} cases, {UnauthorizedTransaction.objects.count():,} "
        f"transactions, {Decision.objects.count():,} decisions; fiscal {year}: "
        f"{in_year:,} transactions; open cases: "
        f"{Case.objects.filter(status__in=OPEN_STATUSES).count():,}"
    )
    print(f"dashboard snapshot refresh (beat, every few minutes): {refresh_s * 1000:,.0f} ms")

    count_year = (
        "SELECT count(*) FROM incidents_unauthorizedtransaction t"
        " JOIN incidents_case c ON c.id = t.case_id"
        " WHERE t.occurred_at >= %s AND t.occurred_at < %s"
    )
    count_year_branch = count_year + " AND c.branch_id = %s"
    count_open = "SELECT count(*) FROM incidents_case WHERE status = ANY(%s)"
    count_open_branch = count_open + " AND branch_id = %s"
    year_params = {"first": f"{year}Q1", "last": f"{year}Q4", "unit": "yen"}
    bounds = [period.start_at(), period.end_at()]
    open_statuses = [str(s) for s in OPEN_STATUSES]
    as_compliance, as_supervisor = Client(), Client()
    as_compliance.force_login(compliance)
    as_supervisor.force_login(supervisor)
    rows = [
        ("statistics, all branches", as_compliance, "/reports/statistics/", year_params,
         count_year, bounds, args.runs, 2000),
        ("statistics, branch 101", as_supervisor, "/reports/statistics/", year_params,
         count_year_branch, [*bounds, branch.pk], args.runs, 2000),
        ("CSV, all branches", as_compliance, "/reports/statistics.csv", year_params,
         count_year, bounds, args.runs, 2000),
        # The same page with a period it refuses: no figures, only what every request costs.
        ("no figures (request only)", as_compliance, "/reports/statistics/", {"first": "-"},
         count_year, bounds, args.runs, 2000),
        ("dashboard, all branches", as_compliance, "/reports/dashboard/", {},
         count_open, [open_statuses], args.dashboard_runs, 100),
        ("dashboard, branch 101", as_supervisor, "/reports/dashboard/", {},
         count_open_branch, [open_statuses, branch.pk], args.dashboard_runs, 100),
    ]  # fmt: skip
    print(
        f"{'page (fiscal ' + str(year) + ')':<28}{'median':>10}{'p95':>10}"
        f"{'reference':>12}{'ratio':>8}{'target':>10}"
    )
    for label, client, url, params, sql, sql_params, runs, target in rows:
        pages, references = measure(client, url, params, sql, sql_params, runs)
        page_median, reference = statistics.median(pages), statistics.median(references)
        spread = p95(pages) if len(pages) >= 2 else pages[0]
        verdict = "ok" if page_median < target else "OVER"
        print(
            f"{label:<28}{page_median:>7.0f} ms{spread:>7.0f} ms{reference:>9.0f} ms"
            f"{page_median / reference:>8.1f}{f'<{target} ms':>10} {verdict}"
        )
    print("reference: a bare COUNT over the same rows (the year's transactions with their cases;")
    print("the open cases), measured interleaved with the page in this run.")


if __name__ == "__main__":
    main()
