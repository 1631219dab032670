"""Celery tasks of the case desk: thin, the work is in incidents.deadlines."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

from incidents import deadlines
from incidents.cases import services


@shared_task(ignore_result=True, acks_late=True)
def scan_deadlines(now: str | None = None) -> dict[str, int]:
    """One scan of the deadlines (every minute from beat); safe to run twice at once."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return deadlines.deadlines_scan(now=moment).summary()


@shared_task(ignore_result=True, acks_late=True)
def send_deadline_digest() -> int:
    """The supervisors' morning list of overdue and due-today deadlines."""
    return deadlines.deadlines_digest_send()


@shared_task(ignore_result=True, acks_late=True)
def send_core_request(request_id: int) -> str:
    """Send one stop request from the outbox (after its case's transaction committed)."""
    return services.core_request_send(request_id=request_id)


@shared_task(ignore_result=True, acks_late=True)
def sweep_core_requests(now: str | None = None) -> dict[str, int]:
    """Resend, ask about and escalate stop requests (every 15 s from beat); safe to overlap."""
    moment = datetime.fromisoformat(now) if now else None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return services.core_requests_sweep(now=moment).summary()
