"""Posting the outbox: signed, claimed once, retried with backoff, in order per case; redelivery."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from webhooks import delivery
from webhooks.models import WebhookDelivery
from webhooks.signing import signature_verify

pytestmark = pytest.mark.django_db


def owed(case) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(case_id=case.pk).order_by("sequence"))


def test_a_delivery_is_posted_signed_with_its_event_id_and_recorded_delivered(
    endpoint, receiver, teller
):
    case = factories.stolen_card_case(teller)
    first = owed(case)[0]
    assert delivery.delivery_send(delivery_id=first.pk) == "delivered"
    post = receiver.accepted[0]
    assert post.event_id == str(first.event.event_id)
    assert post.body == first.event.payload
    # The signature covers the timestamp and the exact bytes, under the endpoint's secret.
    assert post.signature.startswith("v1=") and len(post.signature) == 3 + 64
    now = time.time()
    check = {"header": post.signature, "timestamp": post.timestamp, "now": now}
    assert signature_verify(secret=receiver.secret, body=post.raw, **check)
    assert not signature_verify(secret="another", body=post.raw, **check)
    assert not signature_verify(secret=receiver.secret, body=post.raw + b" ", **check)
    late = {**check, "now": now + 3600}  # a replay an hour later
    assert not signature_verify(secret=receiver.secret, body=post.raw, **late)
    first.refresh_from_db()
    assert first.state == "delivered" and first.attempts == 1 and first.last_status_code == 200
    assert first.next_attempt_at is None and first.delivered_at is not None
    assert receiver.refused_signatures == 0


def test_a_later_event_waits_for_the_earlier_ones_of_its_case_then_follows_them(
    endpoint, receiver, teller
):
    case = factories.stolen_card_case(teller)
    deliveries = owed(case)
    assert len(deliveries) >= 2
    last = deliveries[-1]
    assert delivery.delivery_send(delivery_id=last.pk) == "skipped"
    assert receiver.accepted == []
    # Sending the first goes on with the rest of the case, in order.
    assert delivery.delivery_send(delivery_id=deliveries[0].pk) == "delivered"
    assert receiver.event_ids() == [str(d.event.event_id) for d in deliveries]
    sequences = [post.body["case"]["sequence"] for post in receiver.accepted]
    assert sequences == sorted(sequences)
    assert {d.state for d in owed(case)} == {"delivered"}


def test_a_receiver_answering_500_is_retried_with_exponential_backoff(endpoint, receiver, teller):
    case = factories.stolen_card_case(teller)
    first = owed(case)[0]
    receiver.answers = [500, 500]
    now = timezone.now()
    assert delivery.delivery_send(delivery_id=first.pk, now=now) == "failed"
    first.refresh_from_db()
    base = timedelta(seconds=30)
    assert first.state == "pending" and first.attempts == 1 and first.last_status_code == 500
    assert now + base <= first.next_attempt_at <= now + base * 1.1
    # Not before it is due, not by the send task nor by the sweep.
    assert delivery.delivery_send(delivery_id=first.pk, now=now + base / 2) == "skipped"
    assert delivery.deliveries_sweep(now=now + base / 2) == 0
    later = first.next_attempt_at
    assert delivery.delivery_send(delivery_id=first.pk, now=later) == "failed"
    first.refresh_from_db()
    assert first.attempts == 2
    assert later + base * 2 <= first.next_attempt_at <= later + base * 2.2  # doubled
    assert delivery.delivery_send(delivery_id=first.pk, now=first.next_attempt_at) == "delivered"
    first.refresh_from_db()
    assert first.state == "delivered" and first.attempts == 3
    assert receiver.event_ids()[0] == str(first.event.event_id)


def test_a_receiver_that_is_down_leaves_the_delivery_owed_with_the_error(
    endpoint, receiver, teller
):
    case = factories.stolen_card_case(teller)
    first = owed(case)[0]
    receiver.stop()
    assert delivery.delivery_send(delivery_id=first.pk) == "failed"
    first.refresh_from_db()
    assert first.state == "pending" and first.last_status_code is None
    assert "Connect" in first.last_error


def test_a_claim_left_by_a_dead_worker_is_owed_again_by_the_sweep(endpoint, teller):
    case = factories.stolen_card_case(teller)
    first = owed(case)[0]
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=first.pk).update(state="sending", claimed_at=now)
    assert delivery.delivery_send(delivery_id=first.pk, now=now) == "skipped"  # held
    delivery.deliveries_sweep(now=now + delivery.STALE_CLAIM + timedelta(seconds=1))
    first.refresh_from_db()
    assert first.state in ("pending", "queued")


def test_the_admin_redelivers_a_delivered_webhook_with_the_same_event_id(
    client, administrator, endpoint, receiver, teller
):
    case = factories.stolen_card_case(teller)
    first = owed(case)[0]
    delivery.delivery_send(delivery_id=first.pk)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    changelist = reverse("admin:webhooks_webhookdelivery_changelist")
    response = client.get(changelist, {"state__exact": "delivered"})
    assert response.status_code == 200 and str(first.event.event_id) in response.text
    response = client.post(
        changelist, {"action": "redeliver", "_selected_action": [first.pk]}, follow=True
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.state == "pending" and first.delivered_at is None
    assert delivery.delivery_send(delivery_id=first.pk) == "delivered"
    assert receiver.event_ids().count(str(first.event.event_id)) == 2
    bodies = [json.loads(post.raw) for post in receiver.accepted]
    assert bodies[0] == bodies[-1]
