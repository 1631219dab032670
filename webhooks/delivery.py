"""Delivering the outbox: claim by compare-and-swap, post signed, retry with backoff, in order.

A delivery is owed (``pending``) until a receiver answers 2xx. Two paths hand it to a worker: the
commit that wrote it (``deliveries_enqueue``, after commit) and the sweep (``deliveries_sweep``, run
by beat), which finds what the broker never got (Redis was down), what failed and is due again,
and what a dead worker held. Each send claims its row first (``pending``/``queued`` → ``sending``
in one ``UPDATE … WHERE state … RETURNING``), so a row handed over twice is posted once per claim.
A delivery is claimed only when no earlier event of its case is still owed to its endpoint, so a
receiver sees each case's events in order. At least once: a worker that dies after posting and
before recording it leaves a claim that the sweep makes owed again; the receiver drops the repeat
by its ``Mamori-Event-Id``.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import httpx
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from webhooks.choices import DeliveryState
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.signing import signature_header

logger = logging.getLogger(__name__)

# The task that posts deliveries, named as the worker knows it (tasks call services, not back).
SEND_TASK = "webhooks.tasks.send_webhook_deliveries"
# A claim older than this belongs to a worker that died (posts time out well before).
STALE_CLAIM = timedelta(minutes=2)
# A delivery handed to the broker but not claimed within this is handed over again.
QUEUED_LEASE = timedelta(minutes=5)
RETRY_MAX_SECONDS = 60 * 60
# Deliveries of one case to one endpoint sent one after another by the task that sent the first.
CHAIN_LIMIT = 100
USER_AGENT = "Mamori-Webhooks/1"

_TABLE = WebhookDelivery._meta.db_table
_ENDPOINTS = WebhookEndpoint._meta.db_table
# No earlier event of the same case is still owed to the same endpoint.
_HEAD = (
    f"NOT EXISTS (SELECT 1 FROM {_TABLE} AS p WHERE p.endpoint_id = d.endpoint_id "  # noqa: S608 - table names; values are parameters
    "AND p.case_id = d.case_id AND p.sequence < d.sequence AND p.state <> 'delivered')"
)
_ACTIVE = f"EXISTS (SELECT 1 FROM {_ENDPOINTS} AS e WHERE e.id = d.endpoint_id AND e.active)"  # noqa: S608 - a table name


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failed posts, with a little jitter, capped."""
    base_seconds = settings.MAMORI_WEBHOOK_RETRY_BASE_SECONDS
    base = min(base_seconds * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)
    return timedelta(seconds=base + random.uniform(0, base / 10))  # noqa: S311 - jitter


def deliveries_enqueue(*, delivery_ids: Sequence[int]) -> bool:
    """Hand deliveries to the broker in one message; a broker that is down is logged, never
    raised: the rows stay owed in PostgreSQL and the sweep hands them over when it is back."""
    try:
        current_app.send_task(
            SEND_TASK,
            args=[list(delivery_ids)],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception as exc:
        logger.warning(
            "%s webhook deliveries wait: broker unavailable (%s)", len(delivery_ids), exc
        )
        return False
    return True


def deliveries_send(*, delivery_ids: Sequence[int], now: datetime | None = None) -> int:
    """Post each delivery that can be claimed, then the next ones of its case; how many were
    delivered."""
    return sum(delivery_send(delivery_id=pk, now=now) == "delivered" for pk in delivery_ids)


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Claim one delivery and post it; on success go on with the next owed event of its case to
    that endpoint. Says what happened to ``delivery_id``: delivered, failed or skipped."""
    outcome = _claim_and_post(delivery_id, now)
    pk: int | None = delivery_id
    for _ in range(CHAIN_LIMIT if outcome == "delivered" else 0):
        pk = _next_in_chain(pk, now) if pk is not None else None
        if pk is None or _claim_and_post(pk, now) != "delivered":
            break
    return outcome


def _claim_and_post(delivery_id: int, now: datetime | None) -> str:
    moment = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} AS d SET state = 'sending', claimed_at = %(now)s, "  # noqa: S608 - this module's SQL; values are parameters
            "attempts = d.attempts + 1 WHERE d.id = %(id)s AND d.state IN ('pending', 'queued') "
            f"AND d.next_attempt_at <= %(now)s AND {_ACTIVE} AND {_HEAD} RETURNING d.attempts",
            {"id": delivery_id, "now": moment},
        )
        claimed = cursor.fetchone()
    if claimed is None:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    mine = WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.SENDING, claimed_at=moment
    )
    status, error = _post(delivery, moment)
    if status is not None and 200 <= status < 300:
        mine.update(
            state=DeliveryState.DELIVERED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            last_status_code=status,
            last_error="",
        )
        return "delivered"
    mine.update(
        state=DeliveryState.PENDING,
        next_attempt_at=moment + retry_delay(claimed[0]),
        last_status_code=status,
        last_error=error[:2000],
    )
    logger.info("webhook delivery %s failed (%s): %s", delivery_id, status, error)
    return "failed"


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The body posted: the event's payload as compact JSON (the bytes the signature covers)."""
    payload = delivery.event.payload
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _post(delivery: WebhookDelivery, moment: datetime) -> tuple[int | None, str]:
    body = delivery_body(delivery)
    timestamp = int(moment.timestamp())
    endpoint = delivery.endpoint
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Mamori-Event-Id": str(delivery.event.event_id),
        "Mamori-Event-Type": delivery.event.type,
        "Mamori-Timestamp": str(timestamp),
        "Mamori-Signature": signature_header(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    try:
        response = httpx.post(
            endpoint.url,
            content=body,
            headers=headers,
            timeout=settings.MAMORI_WEBHOOK_TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, response.text[:500]


def _next_in_chain(delivery_id: int, now: datetime | None) -> int | None:
    done = WebhookDelivery.objects.filter(pk=delivery_id).values("endpoint_id", "case_id").first()
    if done is None:
        return None
    return (
        WebhookDelivery.objects.filter(
            endpoint_id=done["endpoint_id"],
            case_id=done["case_id"],
            state__in=(DeliveryState.PENDING, DeliveryState.QUEUED),
            next_attempt_at__lte=now or timezone.now(),
        )
        .order_by("sequence")
        .values_list("pk", flat=True)
        .first()
    )


def deliveries_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Hand every delivery that is owed, due and first of its case to a worker (claimed by
    compare-and-swap, so overlapping sweeps hand each over once); how many were handed over."""
    now = now or timezone.now()
    # A worker died while posting (the receiver may have it: at least once) or the broker lost
    # the message: owed again, now.
    WebhookDelivery.objects.filter(
        state=DeliveryState.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(state=DeliveryState.PENDING, next_attempt_at=now, claimed_at=None)
    WebhookDelivery.objects.filter(
        state=DeliveryState.QUEUED, claimed_at__lt=now - QUEUED_LEASE
    ).update(state=DeliveryState.PENDING, claimed_at=None)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} AS q SET state = 'queued', claimed_at = %(now)s "  # noqa: S608 - this module's SQL; values are parameters
            f"WHERE q.id IN (SELECT d.id FROM {_TABLE} AS d WHERE d.state <> 'delivered' "
            "AND d.state = 'pending' AND d.next_attempt_at <= %(now)s "
            f"AND {_ACTIVE} AND {_HEAD} ORDER BY d.next_attempt_at LIMIT %(limit)s "
            "FOR UPDATE OF d SKIP LOCKED) AND q.state = 'pending' RETURNING q.id",
            {"now": now, "limit": limit},
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    handed = 0
    for pk in ids:
        # One message each: a slow receiver holds up only its own deliveries.
        if deliveries_enqueue(delivery_ids=[pk]):
            handed += 1
        else:
            WebhookDelivery.objects.filter(pk=pk, state=DeliveryState.QUEUED).update(
                state=DeliveryState.PENDING, claimed_at=None
            )
    return handed


def deliveries_redeliver(*, delivery_ids: Sequence[int]) -> int:
    """Owe deliveries again from now (the admin's redelivery; the same event id is posted, so a
    receiver that has it already can tell); deliveries being handed over are left alone."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.filter(
                pk__in=list(delivery_ids),
                state__in=(DeliveryState.DELIVERED, DeliveryState.PENDING),
            ).values_list("pk", flat=True)
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            state=DeliveryState.PENDING,
            next_attempt_at=timezone.now(),
            claimed_at=None,
            delivered_at=None,
            last_error="",
        )
        if ids:
            transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=ids), robust=True)
    return len(ids)
