"""Writes of notices: create in the caller's transaction, email after commit, resend what waits.

Nothing is lost: the row is committed with the event that caused it, and its email copy is owed
until a worker marks it sent. If the broker cannot take the task at commit time, the row simply
waits and ``notification_resend_owed`` hands it over again once the broker is back. Each send
claims the row by compare-and-swap, so a redelivered or duplicated task sends once.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .choices import EmailState
from .models import Notification

logger = logging.getLogger(__name__)

# The email task had its chance by then; older owed emails are handed to the broker again.
RESEND_AFTER = timedelta(minutes=2)
# A worker that claimed an email this long ago and never finished died in the middle.
STALE_CLAIM = timedelta(minutes=10)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 30 * 60


class EmailDeliveryError(Exception):
    """The email backend refused or failed; the task retries later."""


def notification_create(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    link_label: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
) -> Notification:
    """Write a notice in the caller's transaction and send its email once that commits."""
    now = timezone.now()
    wants_email = email and bool(recipient.email)
    notification = Notification(
        recipient=recipient,
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        link_label=link_label[:60],
        dedupe_key=dedupe_key,
        created_at=now,
        email_state=EmailState.PENDING if wants_email else EmailState.NOT_SENT,
        email_due_at=now if wants_email else None,
    )
    if dedupe_key is not None:
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            return Notification.objects.get(dedupe_key=dedupe_key)
    else:
        notification.save()
    if wants_email:
        transaction.on_commit(
            partial(notification_enqueue_email, notification_id=notification.pk), robust=True
        )
    return notification


def notification_enqueue_email(*, notification_id: int) -> bool:
    """Hand the email task to the broker; a broker that is down is logged, never raised."""
    from .tasks import send_notification_email

    try:
        send_notification_email.apply_async(
            args=[notification_id],
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 0.5,
            },
        )
    except Exception as exc:
        # The row stays owed; the resend job hands it over again when the broker is back.
        logger.warning(
            "email for notification %s waits: broker unavailable (%s)", notification_id, exc
        )
        return False
    return True


def notification_email_send(*, notification_id: int) -> str:
    """Send one notice's email if it is still owed (claimed by compare-and-swap); say what happened."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, email_state=EmailState.PENDING
    ).update(
        email_state=EmailState.SENDING,
        email_claimed_at=now,
        email_attempts=F("email_attempts") + 1,
    )
    if claimed != 1:
        return "not_owed"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        _email_message(notification).send(fail_silently=False)
    except Exception as exc:
        Notification.objects.filter(pk=notification_id, email_state=EmailState.SENDING).update(
            email_state=EmailState.PENDING, email_error=f"{exc.__class__.__name__}: {exc}"[:300]
        )
        raise EmailDeliveryError(str(exc)) from exc
    Notification.objects.filter(pk=notification_id, email_state=EmailState.SENDING).update(
        email_state=EmailState.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return "sent"


def notification_email_postpone(*, notification_id: int, seconds: int) -> None:
    """Note when the next attempt of a failed email is due, so the resend job respects the backoff."""
    Notification.objects.filter(pk=notification_id, email_state=EmailState.PENDING).update(
        email_due_at=timezone.now() + timedelta(seconds=seconds)
    )


def notification_email_give_up(*, notification_id: int) -> None:
    """Stop retrying an email the backend keeps refusing (an administrator can resend it)."""
    Notification.objects.filter(pk=notification_id, email_state=EmailState.PENDING).update(
        email_state=EmailState.FAILED, email_due_at=None
    )
    logger.error("email for notification %s failed for good", notification_id)


def notification_email_retry(*, notification_ids) -> int:
    """Make failed emails owed again and hand them to the broker (the administrator's resend)."""
    ids = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), email_state=EmailState.FAILED
        ).values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids, email_state=EmailState.FAILED).update(
        email_state=EmailState.PENDING, email_due_at=timezone.now(), email_error=""
    )
    for pk in ids:
        transaction.on_commit(partial(notification_enqueue_email, notification_id=pk), robust=True)
    return len(ids)


def retry_countdown(retries: int) -> int:
    """Seconds before the next attempt: exponential backoff with a little jitter, capped."""
    base = min(RETRY_BASE_SECONDS * (2**retries), RETRY_MAX_SECONDS)
    return base + random.randint(0, max(1, base // 10))  # noqa: S311 - jitter, not a secret


def notification_resend_owed(*, now: datetime | None = None, limit: int = 500) -> int:
    """Hand emails still owed past their due time (broker down, worker died) to the broker again."""
    now = now or timezone.now()
    # A claim this old belongs to a worker that died: the email is owed again.
    Notification.objects.filter(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - STALE_CLAIM
    ).update(email_state=EmailState.PENDING, email_due_at=now - RESEND_AFTER)
    ids = list(
        Notification.objects.filter(
            email_state=EmailState.PENDING, email_due_at__lte=now - RESEND_AFTER
        )
        .order_by("email_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    handed = 0
    for pk in ids:
        # Pushed forward first, so the next tick does not hand it over again while it is queued.
        Notification.objects.filter(pk=pk, email_state=EmailState.PENDING).update(email_due_at=now)
        if notification_enqueue_email(notification_id=pk):
            handed += 1
    return handed


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the user's notices read; False when it was already read or is not theirs."""
    return (
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
        == 1
    )


def notification_mark_all_read(*, user) -> int:
    """Mark every unread notice of the user read."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _email_message(notification: Notification) -> EmailMessage:
    recipient = notification.recipient
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    link = ""
    if notification.url:
        link = settings.MAMORI_BASE_URL.rstrip("/") + notification.url
    with translation.override(language):
        context = {
            "notification": notification,
            "recipient": recipient,
            "link": link,
            "institution": settings.MAMORI_INSTITUTION_NAME,
        }
        subject = render_to_string("notifications/email/subject.txt", context)
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Content-Language": language},
    )
