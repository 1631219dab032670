"""Create many realistic cases fast, for benchmarks: ``python manage.py seed_bench --cases N``."""

import time

from django.core.management.base import BaseCommand, CommandError

from incidents.devdata.benchdata import BENCH_PASSWORD, bench_seed


class Command(BaseCommand):
    """``python manage.py seed_bench --cases 1000000``."""

    help = (
        "Create N realistic cases (about 10%% open) over 20 bench branches with bulk SQL. "
        "Bench staff: bench_supervisor_101_0 …, password " + BENCH_PASSWORD + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--branches", type=int, default=20)
        parser.add_argument("--chunk", type=int, default=100_000)

    def handle(self, *args, cases: int, branches: int, chunk: int, **options) -> None:
        if cases < 1 or not 1 <= branches <= 899 or chunk < 1:
            raise CommandError("--cases ≥ 1, --branches 1–899, --chunk ≥ 1")
        started = time.monotonic()
        done = bench_seed(cases=cases, branches=branches, chunk=chunk, log=self.stdout.write)
        self.stdout.write(f"{done:,} cases in {time.monotonic() - started:.1f} s")
