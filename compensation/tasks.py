"""Celery tasks of compensation: thin, the work is in the selectors."""

from __future__ import annotations

from celery import shared_task

from compensation.reports.dashboard import dashboard_refresh
from compensation.services import freeze_reminders_scan


@shared_task(ignore_result=True, acks_late=True)
def refresh_dashboard() -> None:
    """Recompute the dashboard's snapshot (every few minutes from beat; readers are not blocked)."""
    dashboard_refresh()


@shared_task(ignore_result=True, acks_late=True)
def scan_freeze_reminders() -> None:
    """Send the freeze cases' period reminders that are due (every minute from beat)."""
    freeze_reminders_scan()
