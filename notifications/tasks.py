"""Celery tasks of the notifications app: thin, taking ids; the work is in services."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(bind=True, max_retries=6, acks_late=True, ignore_result=True)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notice's email, retrying with backoff while the mail server refuses it."""
    try:
        return services.notification_email_send(notification_id=notification_id)
    except services.EmailDeliveryError as exc:
        if self.request.retries >= self.max_retries:
            services.notification_email_give_up(notification_id=notification_id)
            return "failed"
        countdown = services.retry_countdown(self.request.retries)
        services.notification_email_postpone(notification_id=notification_id, seconds=countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(ignore_result=True, acks_late=True)
def enqueue_notification_emails(notification_ids: list[int]) -> int:
    """Fan a batch of owed emails out into one email task each (a redelivery sends nothing twice:
    each send claims its row)."""
    return sum(services.notification_enqueue_email(notification_id=pk) for pk in notification_ids)


@shared_task(ignore_result=True, expires=55)
def resend_owed_emails() -> int:
    """Hand emails still owed (broker was down, worker died) to the broker again."""
    return services.notification_resend_owed()
