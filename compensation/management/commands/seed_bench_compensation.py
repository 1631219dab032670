"""Findings and approved decisions for the bench cases: ``python manage.py seed_bench_compensation``."""

import time

from django.core.management.base import BaseCommand

from compensation.devdata.benchdata import bench_seed_decisions


class Command(BaseCommand):
    """Run after ``seed_bench``; cases that already have a decision are left alone."""

    help = "Approved decisions (and findings) for the cases seed_bench created, with bulk SQL."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        made = bench_seed_decisions(log=self.stdout.write)
        self.stdout.write(f"{made:,} decisions in {time.monotonic() - started:.1f} s")
