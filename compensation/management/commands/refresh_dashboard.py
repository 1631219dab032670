"""Recompute the dashboard's snapshot now: ``python manage.py refresh_dashboard``."""

import time

from django.core.management.base import BaseCommand

from compensation.reports.dashboard import dashboard_refresh


class Command(BaseCommand):
    """Beat does this every few minutes; run it after loading data to see it at once."""

    help = "Recompute the dashboard's figures (materialized view compensation_dashboardfigure)."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        dashboard_refresh()
        self.stdout.write(f"dashboard refreshed in {time.monotonic() - started:.2f} s")
