"""Celery tasks of compensation: thin, the work is in the selectors."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from compensation.reports.dashboard import dashboard_refresh
from compensation.services import freeze_reminders_scan


@shared_task(ignore_result=True, acks_late=True)
def refresh_dashboard() -> None:
    """Recompute the dashboard's snapshot (every few minutes from beat; readers are not blocked)."""
    dashboard_refresh()


@shared_task(ignore_result=True, acks_late=True)
def scan_freeze_reminders(now: str | None = None) -> int:
    """Send the freeze cases' period reminders that are due (every minute from beat); safe to
    run twice at once. ``now`` (ISO 8601) is for tests and replays."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return len(freeze_reminders_scan(now=moment).reminders)
