"""Celery tasks of the webhooks: thin, taking ids; the work is in ``webhooks.delivery``."""

from __future__ import annotations

from celery import shared_task

from webhooks import delivery


@shared_task(ignore_result=True, acks_late=True)
def send_webhook_deliveries(delivery_ids: list[int]) -> int:
    """Post the deliveries (each claimed first; failures are retried by the sweep with backoff)."""
    return delivery.deliveries_send(delivery_ids=delivery_ids)


@shared_task(ignore_result=True, expires=25)
def sweep_webhook_deliveries() -> int:
    """Hand owed, due deliveries to the workers (those the broker never got, retries, stale)."""
    return delivery.deliveries_sweep()
