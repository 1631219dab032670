"""Server time of the case page at a million cases, beside a floor measured in the same run.

    .venv/bin/python bench/bench_case.py                  # 1,000,000 cases (seeding takes minutes)
    .venv/bin/python bench/bench_case.py --cases 100000   # smaller, to try it out
    .venv/bin/python bench/bench_case.py --tiny           # a few hundred cases: runs in seconds
    MAMORI_BENCH_DATABASE_URL=postgres://…/mamori_bench .venv/bin/python bench/bench_case.py --keep

The benchmark uses its own database: MAMORI_BENCH_DATABASE_URL, or a throwaway
``mamori_bench_case`` it creates on the server of DATABASE_URL and drops afterwards (``--keep``
keeps it; a kept database with enough cases is reused). It never touches the test database.

It seeds the cases as the other benchmarks do (``seed_bench``, ``seed_bench_compensation``), then,
as a supervisor of branch 101, measures the median and 95th percentile of the time spent inside
Django (the whole middleware stack) for the case page (the summary header, the work bar, the
merge panel and the one tab rendered with it, 届出内容・措置・取引; 補償, 期限・書類, 経過 and
変更履歴 are tabs loaded when opened, not measured here) of the branch's submitted case with the
most transactions, and of one of its decided cases, each interleaved with the floor
(bench/floor.py, ``case_floor``): one hand-written query for the case and its rows, a trivial
template. It prints the ratio (target at most 2) and the number of queries of each page.

Under each case, reference points measured in the same loop (not targets; they show where the
budget goes): the middleware stack and the login alone (no query of its own, no template); the
case's number alone in the layout every page shares (base.html, its context processors); the
page's header and tab bar with nothing under them; the page's templates alone, rendered in
process from a context read once beforehand (no middleware, no query for the case); and the sum
of the stack and the templates, which no way of reading the case can go below while the page is
rendered by these templates.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_queue import (  # noqa: E402
    bench_database,
    drop_database,
    measure,
    p95,
    seeded_cases,
    setup_django,
)

TINY = {"cases": 300, "runs": 5}
STACK = "  reference: stack alone"
TEMPLATES = "  reference: templates alone"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--name", default="mamori_bench_case", help="throwaway database")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--tiny", action="store_true", help="a few hundred cases, a few runs")
    args = parser.parse_args()
    if args.tiny:
        args.cases, args.runs = TINY["cases"], TINY["runs"]
        if args.name == parser.get_default("name"):
            args.name += "_tiny"

    url, created = bench_database(args)
    setup_django(url)
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if created and not args.keep:
            drop_database(url)


def pick_cases(branch) -> list[tuple[str, int]]:
    """(label, id): the branch's submitted case with the most transactions, and a decided one."""
    from django.db.models import Count

    from incidents.models import Case
    from incidents.models.choices import CaseStatus

    submitted = Case.objects.filter(branch=branch).exclude(status=CaseStatus.DRAFT)
    busiest = (
        submitted.annotate(n=Count("transactions")).order_by("-n", "-pk").values_list("pk", "n")
    )[:1]
    picked = [(f"most transactions ({n})", pk) for pk, n in busiest]
    decided = submitted.filter(status=CaseStatus.DECIDED).values_list("pk", flat=True)[:1]
    picked += [("decided", pk) for pk in decided]
    return picked


def queries_of(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def template_timer(client, user, pk: int):
    """A function that renders the case page's templates once from a context read beforehand
    and returns the milliseconds it took."""
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from accounts.http import AuthedRequest
    from incidents.casepage.detail import case_detail_context
    from incidents.cases.selectors import case_get_full

    request = cast(AuthedRequest, RequestFactory().get(f"/cases/{pk}/"))
    request.user = user
    request.session = client.session
    context = case_detail_context(request, case_get_full(user=user, pk=pk, page=True))

    def timed() -> float:
        started = time.perf_counter()
        render_to_string("incidents/case_detail.html", context, request)
        return (time.perf_counter() - started) * 1000

    return timed


def run(args) -> None:
    from django.core.management import call_command
    from django.test import Client

    from incidents.models import Branch, Case, User

    call_command("migrate", verbosity=0)
    have = seeded_cases()
    if have < args.cases:
        started = time.monotonic()
        call_command("seed_bench", cases=args.cases - have, stdout=sys.stderr)
        call_command("seed_bench_compensation", stdout=sys.stderr)
        print(f"seeded {args.cases - have:,} cases in {time.monotonic() - started:.0f} s")
    branch = Branch.objects.get(code="101")
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    print(f"{Case.objects.count():,} cases; branch {branch}, as {supervisor.username}")

    client = Client()
    client.force_login(supervisor)
    print(
        f"{'case':<28}{'page median':>13}{'p95':>10}{'floor median':>14}{'p95':>10}"
        f"{'ratio':>8}{'queries':>9}"
    )
    for label, pk in pick_cases(branch):
        page_url, floor_url = f"/cases/{pk}/", f"/bench/case-floor/{pk}/"
        number = Case.objects.get(pk=pk).number or ""
        assert number in client.get(page_url).content.decode(), (label, pk)
        assert number in client.get(floor_url).content.decode(), (label, pk)
        urls = {
            label: page_url,
            "floor": floor_url,
            STACK: f"/bench/case-stack/{pk}/",
            "  reference: layout only": f"/bench/case-layout/{pk}/",
            "  reference: header, tabs": f"/bench/case-header/{pk}/",
        }
        render = template_timer(client, supervisor, pk)
        times: dict[str, list[float]] = {name: [] for name in [*urls, TEMPLATES]}
        for url in urls.values():
            measure(client, url, {}, 3)  # warm up caches and connections
        for _ in range(3):
            render()
        for _ in range(args.runs):  # interleaved, so all see the same machine
            for name, url in urls.items():
                times[name] += measure(client, url, {}, 1)
            times[TEMPLATES].append(render())
        f_med = statistics.median(times["floor"])
        for name in times:
            if name == "floor":
                continue
            p_med = statistics.median(times[name])
            floor_columns = (
                f"{f_med:>11.1f} ms{p95(times['floor']):>7.1f} ms" if name == label else " " * 23
            )
            queries = f"{queries_of(client, urls[name]):>9}" if name in urls else ""
            print(
                f"{name:<28}{p_med:>10.1f} ms{p95(times[name]):>7.1f} ms"
                f"{floor_columns}{p_med / f_med:>8.2f}{queries}"
            )
        bound = statistics.median(times[STACK]) + statistics.median(times[TEMPLATES])
        print(
            f"{'  lower bound: stack + templates':<33}{bound:>5.1f} ms{'':>32}{bound / f_med:>8.2f}"
        )


if __name__ == "__main__":
    main()
