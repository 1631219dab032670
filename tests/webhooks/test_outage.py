"""Redis and the receiver both down while cases change: the outbox waits in PostgreSQL, and once
they return a real worker delivers every event exactly once, in order per case."""

from __future__ import annotations

import time

import pytest
from celery import current_app

from tests import factories
from tests.workers import broker, redis_server, wait_for, worker
from webhooks.models import WebhookDelivery, WebhookEvent

__all__ = ["broker", "redis_server", "worker"]  # fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP_TASK = "webhooks.tasks.sweep_webhook_deliveries"


def test_with_redis_and_the_receiver_down_every_event_is_delivered_once_in_order_when_they_return(
    worker, broker, receiver, endpoint, teller
):
    broker.stop()
    receiver.stop()
    started = time.monotonic()
    cases = [factories.stolen_card_case(teller) for _ in range(2)]
    assert time.monotonic() - started < 30  # the teller is not kept waiting on the broker
    events = list(WebhookEvent.objects.order_by("case_id", "sequence"))
    assert len(events) >= 4 and {event.case_id for event in events} == {c.pk for c in cases}
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"pending"}

    # Redis returns first: the worker tries, the receiver is still down, the rows wait (backoff).
    broker.start()
    worker.environment = {"MAMORI_WEBHOOK_RETRY_BASE_SECONDS": "1"}
    worker.start()
    worker.wait_ready()
    current_app.send_task(SWEEP_TASK)
    try:
        wait_for(
            lambda: WebhookDelivery.objects.filter(attempts__gte=1).count() >= len(cases),
            timeout=60,
            what="the worker to try the first event of each case",
        )
        assert not WebhookDelivery.objects.filter(state="delivered").exists()
        assert WebhookDelivery.objects.filter(last_error__contains="Connect").exists()
        # The receiver returns; beat's sweep (sent here every second) hands the owed rows over.
        receiver.start()

        def all_delivered() -> bool:
            if WebhookDelivery.objects.exclude(state="delivered").exists():
                current_app.send_task(SWEEP_TASK)
                return False
            return True

        wait_for(all_delivered, timeout=90, interval=1.0, what="every event delivered")
    except AssertionError:
        print(worker.output())
        raise
    # Exactly once each, and each case's events in their order.
    received = receiver.event_ids()
    assert sorted(received) == sorted(str(event.event_id) for event in events)
    for case in cases:
        sequences = [
            post.body["case"]["sequence"]
            for post in receiver.accepted
            if post.body["case"]["id"] == case.pk
        ]
        assert sequences == sorted(sequences) == list(range(1, len(sequences) + 1))
    assert receiver.refused_signatures == 0
