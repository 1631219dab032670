"""Writes of notices: create in the caller's transaction, email after commit, resend what waits.

Nothing is lost: the row is committed with the event that caused it, and its email copy is owed
until a worker marks it sent. If the broker cannot take the task at commit time, the row simply
waits and ``notification_resend_owed`` hands it over again once the broker is back. Each send
claims the row by compare-and-swap, so a redelivered or duplicated task sends once.

Nothing is sent twice either, even when a worker is killed: the sender opens the connection to
the mail server itself, commits ``handing`` just before the message is handed over, and records
``sent`` as soon as the server has accepted it, before the (possibly slow) close. A claim that
went stale before ``handing`` never reached the server and is owed again; one that went stale in
``handing`` may have been delivered, so it becomes ``unconfirmed`` for a person to decide. Every
attempt carries the same Message-ID, so a second copy can be recognised.
"""

from __future__ import annotations

import logging
import random
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.choices import EmailState
from notifications.models import Notification

logger = logging.getLogger(__name__)

# The email task had its chance by then; older owed emails are handed to the broker again.
RESEND_AFTER = timedelta(minutes=2)
# A worker that claimed (or began handing over) an email this long ago and never finished died
# in the middle.
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


@dataclass(frozen=True)
class NotificationDraft:
    """One notice to write with ``notification_create_many`` (the arguments of ``notification_create``)."""

    recipient: Any
    kind: str
    title: str
    body: str = ""
    url: str = ""
    link_label: str = ""
    dedupe_key: str | None = None
    email: bool = True


def notification_create_many(*, drafts: Sequence[NotificationDraft]) -> list[int]:
    """Write many notices in one multi-row insert in the caller's transaction; once it commits,
    hand all their emails to the broker in one message. Returns the ids written: a notice whose
    ``dedupe_key`` exists already is not written again (``ON CONFLICT DO NOTHING``)."""
    if not drafts:
        return []
    now = timezone.now()
    wants = [_wants_email(draft) for draft in drafts]
    columns = [
        [draft.recipient.pk for draft in drafts],
        [draft.kind for draft in drafts],
        [draft.title[:200] for draft in drafts],
        [draft.body for draft in drafts],
        [draft.url for draft in drafts],
        [draft.link_label[:60] for draft in drafts],
        [draft.dedupe_key for draft in drafts],
        [EmailState.PENDING if want else EmailState.NOT_SENT for want in wants],
    ]
    # UNNEST, as bulk_create writes on PostgreSQL, without a model object per notice; the
    # columns the model defaults are given their defaults here.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Notification._meta.db_table} (recipient_id, kind, title, body, url, "  # noqa: S608 - the table's name; values are parameters
            "link_label, dedupe_key, email_state, created_at, email_due_at, email_attempts, "
            "email_error) SELECT r, k, t, b, u, l, d, s, %s, "
            "CASE WHEN s = %s THEN %s::timestamptz END, 0, '' FROM unnest(%s::bigint[], "
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[]) AS v(r, k, t, b, u, l, d, s) ON CONFLICT DO NOTHING "
            "RETURNING id, email_state",
            [now, EmailState.PENDING, now, *columns],
        )
        written = cursor.fetchall()
    owed = [pk for pk, state in written if state == EmailState.PENDING]
    if owed:
        transaction.on_commit(
            partial(notification_enqueue_emails, notification_ids=owed), robust=True
        )
    return [pk for pk, _state in written]


def _wants_email(draft: NotificationDraft) -> bool:
    return draft.email and bool(draft.recipient.email)


# The email task, named as the worker knows it (the services hand it over by name: the task
# module calls the services, never the other way round).
SEND_EMAIL_TASK = "notifications.tasks.send_notification_email"


def notification_enqueue_email(*, notification_id: int) -> bool:
    """Hand the email task to the broker; a broker that is down is logged, never raised."""
    try:
        current_app.send_task(
            SEND_EMAIL_TASK,
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


# The task that hands many emails to the broker, one email task each, from a worker.
ENQUEUE_EMAILS_TASK = "notifications.tasks.enqueue_notification_emails"


def notification_enqueue_emails(*, notification_ids: Sequence[int]) -> bool:
    """Hand many emails to the broker in one message (a worker fans it out into one email task
    each); a broker that is down is logged, never raised: the rows stay owed for the resend job."""
    try:
        current_app.send_task(
            ENQUEUE_EMAILS_TASK,
            args=[list(notification_ids)],
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 0.5,
            },
        )
    except Exception as exc:
        logger.warning(
            "emails of %s notifications wait: broker unavailable (%s)", len(notification_ids), exc
        )
        return False
    return True


def notification_email_send(*, notification_id: int) -> str:
    """Send one notice's email if it is still owed (claimed by compare-and-swap); say what happened.

    ``sent``, ``not_owed`` (another attempt has it, or it is done), ``no_address`` or
    ``unconfirmed`` (the connection broke while the server may have been accepting the message);
    raises ``EmailDeliveryError`` when the message surely did not get through, to be retried.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, email_state=EmailState.PENDING
    ).update(
        email_state=EmailState.SENDING,
        email_claimed_at=timezone.now(),
        email_handed_at=None,
        email_attempts=F("email_attempts") + 1,
    )
    if claimed != 1:
        return "not_owed"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    # This attempt's row: a later attempt (after a stale claim) has another number.
    mine = Notification.objects.filter(
        pk=notification_id, email_attempts=notification.email_attempts
    )
    if not notification.recipient.email:
        mine.filter(email_state=EmailState.SENDING).update(
            email_state=EmailState.NOT_SENT, email_due_at=None
        )
        return "no_address"

    # Before anything reaches the mail server: put the message together and open the connection
    # (greeting, EHLO, TLS, login). A failure here surely delivered nothing.
    connection = None
    try:
        message = _email_message(notification)
        message.message()
        connection = get_connection(fail_silently=False)
        connection.open()
        _greet(connection)
    except Exception as exc:
        _owe_again(mine, EmailState.SENDING, exc)
        _close_quietly(connection, notification_id)
        raise EmailDeliveryError(str(exc)) from exc

    # From here the server may get the message. Say so first: the worker runs in autocommit, so
    # this update is committed before the backend is called, and outlives a killed worker.
    handing = mine.filter(email_state=EmailState.SENDING).update(
        email_state=EmailState.HANDING, email_handed_at=timezone.now()
    )
    if handing != 1:  # the claim went stale and was taken over meanwhile
        _close_quietly(connection, notification_id)
        return "not_owed"
    try:
        # A connection we opened is left open by the backend: this returns once the server has
        # answered the end of the message (SMTP: the reply to DATA), before any QUIT.
        accepted = connection.send_messages([message])
    except Exception as exc:
        if _surely_refused(exc):
            _owe_again(mine, EmailState.HANDING, exc)
            _close_quietly(connection, notification_id)
            raise EmailDeliveryError(str(exc)) from exc
        mine.filter(email_state=EmailState.HANDING).update(
            email_state=EmailState.UNCONFIRMED, email_due_at=None, email_error=_error_text(exc)
        )
        _close_quietly(connection, notification_id)
        logger.error(
            "email for notification %s is unconfirmed: the connection broke while the mail "
            "server may have been accepting it (%s)",
            notification_id,
            exc,
        )
        return "unconfirmed"
    if not accepted:
        error = EmailDeliveryError("the email backend accepted no message")
        _owe_again(mine, EmailState.HANDING, error)
        _close_quietly(connection, notification_id)
        raise error
    # Recorded before the close: a worker killed while the server is slow to answer QUIT leaves
    # a row that says sent. (An attempt that outlived its stale claim still knows it was accepted.)
    mine.filter(email_state__in=[EmailState.HANDING, EmailState.UNCONFIRMED]).update(
        email_state=EmailState.SENT, email_sent_at=timezone.now(), email_error=""
    )
    _close_quietly(connection, notification_id)
    return "sent"


def _greet(connection) -> None:
    """Finish the SMTP greeting (EHLO) before handing over, so that a server slow to greet is
    known not to have the message. Other backends have nothing to greet."""
    smtp = getattr(connection, "connection", None)
    if isinstance(smtp, smtplib.SMTP):
        smtp.ehlo_or_helo_if_needed()


def _surely_refused(exc: Exception) -> bool:
    """Whether a failure while handing over proves the message was not accepted.

    The server's own refusal (an SMTP reply) or a message that could not be put together is
    sure; a broken connection or a timeout is not (the server may have taken the message and
    the reply been lost), nor is anything else a backend may raise.
    """
    return isinstance(
        exc,
        (
            smtplib.SMTPResponseException,
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPNotSupportedError,
            ValueError,
        ),
    )


def _owe_again(mine: QuerySet, state: str, exc: Exception) -> None:
    mine.filter(email_state=state).update(
        email_state=EmailState.PENDING, email_error=_error_text(exc)
    )


def _error_text(exc: Exception) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:300]


def _close_quietly(connection, notification_id: int) -> None:
    """Close the connection; the outcome of the send is already recorded, whatever QUIT does."""
    if connection is None:
        return
    try:
        connection.close()
    except Exception as exc:
        logger.warning(
            "closing the mail connection after notification %s failed (%s)", notification_id, exc
        )


def email_message_id(notification_id: int) -> str:
    """The Message-ID of a notice's email: the same on every attempt and every resend, so a mail
    server or a person can recognise a second copy of it."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<mamori-notification-{notification_id}@{domain}>"


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
    return _email_owe_again(notification_ids, EmailState.FAILED)


def notification_email_resend_unconfirmed(*, notification_ids) -> int:
    """Send unconfirmed emails again, deliberately (a person found they did not arrive)."""
    return _email_owe_again(notification_ids, EmailState.UNCONFIRMED)


def notification_email_confirm_delivered(*, notification_ids) -> int:
    """Mark unconfirmed emails sent (a person found they did arrive), as of their hand-over."""
    return Notification.objects.filter(
        pk__in=list(notification_ids), email_state=EmailState.UNCONFIRMED
    ).update(
        email_state=EmailState.SENT,
        email_sent_at=Coalesce(F("email_handed_at"), timezone.now()),
        email_error="",
    )


def _email_owe_again(notification_ids, state: str) -> int:
    ids = list(
        Notification.objects.filter(pk__in=list(notification_ids), email_state=state).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=ids, email_state=state).update(
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
    """Hand emails still owed past their due time (broker down, worker died) to the broker again.

    A stale claim that never reached the mail server is owed again; one that was being handed
    over may have been delivered, so it becomes unconfirmed and is never resent from here.
    """
    now = now or timezone.now()
    # A claim this old belongs to a worker that died before handing the message over: owed again.
    Notification.objects.filter(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - STALE_CLAIM
    ).update(email_state=EmailState.PENDING, email_due_at=now - RESEND_AFTER)
    # One that died while handing it over: the server may have it. A person decides (the admin).
    unconfirmed = list(
        Notification.objects.filter(
            email_state=EmailState.HANDING, email_handed_at__lt=now - STALE_CLAIM
        ).values_list("pk", flat=True)
    )
    if unconfirmed:
        Notification.objects.filter(pk__in=unconfirmed, email_state=EmailState.HANDING).update(
            email_state=EmailState.UNCONFIRMED, email_due_at=None
        )
        logger.error(
            "emails of notifications %s are unconfirmed: their worker died while handing them to "
            "the mail server; resend or mark them delivered in the admin",
            unconfirmed,
        )
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
        headers={"Content-Language": language, "Message-ID": email_message_id(notification.pk)},
    )
