"""Handing an email to the mail server: marked before it can be handed again, recorded as soon as
the server accepts it, and never resent by itself where the server may already have it.

A real SMTP server (aiosmtpd) runs in the test process; the sends run in the test process too.
The runs with a real worker killed mid-send are in test_email_exactly_once.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services
from notifications.choices import EmailState
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.mailserver import mail_server, smtp_settings
from tests.workers import celery_broker, free_port

__all__ = ["mail_server", "smtp_settings"]  # fixtures used below

pytestmark = pytest.mark.django_db


def notice(user, **fields):
    values = {"kind": "info", "title": "期限が近づいています：001-2026-00001", "body": "本文"}
    values.update(fields)
    return services.notification_create(recipient=user, **values)


def resend_tick(now):
    """The resend job's tick at ``now``, with a broker nobody listens on (nothing is handed)."""
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        return services.notification_resend_owed(now=now)


def test_an_email_goes_through_a_real_smtp_server_once_with_a_message_id_from_the_notice(
    smtp_settings, mail_server, supervisor
):
    created = notice(supervisor)
    assert send_notification_email.apply(args=[created.pk]).get() == "sent"
    assert send_notification_email.apply(args=[created.pk]).get() == "not_owed"
    (message,) = mail_server.messages()
    assert message["Message-ID"] == f"<mamori-notification-{created.pk}@bank.example>"
    assert message["To"] == supervisor.email
    created.refresh_from_db()
    assert created.email_state == "sent" and created.email_attempts == 1
    assert created.email_handed_at <= created.email_sent_at


def test_every_attempt_and_resend_of_an_email_carries_the_same_message_id(supervisor):
    created = notice(supervisor)
    send_notification_email.apply(args=[created.pk])
    Notification.objects.filter(pk=created.pk).update(email_state="failed")
    services.notification_email_retry(notification_ids=[created.pk])
    send_notification_email.apply(args=[created.pk])
    other = notice(supervisor)
    send_notification_email.apply(args=[other.pk])
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids[0] == ids[1] == services.email_message_id(created.pk)
    assert ids[2] == services.email_message_id(other.pk) != ids[0]


def test_a_message_the_server_refuses_is_owed_again_and_retried(
    smtp_settings, mail_server, supervisor
):
    mail_server.refuse_with = "554 5.7.1 Rejected for the test"
    created = notice(supervisor)
    with pytest.raises(services.EmailDeliveryError):
        services.notification_email_send(notification_id=created.pk)
    created.refresh_from_db()
    # The server's own "no" proves nothing was delivered: owed again, for the task to retry.
    assert created.email_state == "pending" and "SMTPDataError" in created.email_error
    mail_server.refuse_with = None
    assert services.notification_email_send(notification_id=created.pk) == "sent"
    assert len(mail_server.messages()) == 1


def test_a_server_that_hangs_up_after_taking_the_message_leaves_it_unconfirmed_not_resent(
    smtp_settings, mail_server, supervisor
):
    mail_server.hang_up_after_data = True
    created = notice(supervisor)
    # No retry: the server may have the message (here it has it) and the reply was lost.
    assert send_notification_email.apply(args=[created.pk]).get() == "unconfirmed"
    created.refresh_from_db()
    assert created.email_state == "unconfirmed" and created.email_attempts == 1
    assert "SMTPServerDisconnected" in created.email_error
    assert resend_tick(timezone.now() + timedelta(hours=1)) == 0
    assert send_notification_email.apply(args=[created.pk]).get() == "not_owed"
    assert len(mail_server.messages()) == 1


def test_a_server_that_cannot_be_reached_leaves_the_email_owed_before_anything_is_handed(
    settings, supervisor
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    created = notice(supervisor)
    with pytest.raises(services.EmailDeliveryError):
        services.notification_email_send(notification_id=created.pk)
    created.refresh_from_db()
    assert created.email_state == "pending" and created.email_handed_at is None


def test_a_stale_claim_before_handing_is_owed_again_and_one_in_handing_becomes_unconfirmed(
    supervisor,
):
    preparing, handing, live = notice(supervisor), notice(supervisor), notice(supervisor)
    long_ago = timezone.now() - timedelta(minutes=30)
    Notification.objects.filter(pk=preparing.pk).update(
        email_state="sending", email_claimed_at=long_ago, email_attempts=1
    )
    Notification.objects.filter(pk=handing.pk).update(
        email_state="handing", email_claimed_at=long_ago, email_handed_at=long_ago
    )
    # A worker handing over right now is not disturbed.
    Notification.objects.filter(pk=live.pk).update(
        email_state="handing", email_claimed_at=long_ago, email_handed_at=timezone.now()
    )
    resend_tick(timezone.now())
    states = dict(Notification.objects.values_list("pk", "email_state"))
    assert states == {preparing.pk: "pending", handing.pk: "unconfirmed", live.pk: "handing"}
    # The one that never reached the server is sent; the unconfirmed one is not, on any tick.
    assert send_notification_email.apply(args=[preparing.pk]).get() == "sent"
    assert send_notification_email.apply(args=[handing.pk]).get() == "not_owed"
    assert resend_tick(timezone.now() + timedelta(days=1)) == 0
    assert Notification.objects.get(pk=handing.pk).email_state == "unconfirmed"
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        services.email_message_id(preparing.pk)
    ]


def admin_client(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    return client


def test_the_admin_explains_an_unconfirmed_email_and_can_mark_it_delivered(
    client, administrator, supervisor
):
    client = admin_client(client, administrator)
    unconfirmed, failed = notice(supervisor), notice(supervisor)
    handed = timezone.now() - timedelta(minutes=30)
    Notification.objects.filter(pk=unconfirmed.pk).update(
        email_state="unconfirmed", email_handed_at=handed
    )
    Notification.objects.filter(pk=failed.pk).update(email_state="failed")
    changelist = reverse("admin:notifications_notification_changelist")
    html = client.get(changelist).content.decode()
    assert "送信未確認のメール：1件。" in html and "自動では再送しません" in html
    detail = client.get(
        reverse("admin:notifications_notification_change", args=[unconfirmed.pk])
    ).content.decode()
    assert "メールサーバーへ引き渡している途中で送信処理が止まった" in detail

    response = client.post(
        changelist,
        {"action": "mark_email_delivered", "_selected_action": [unconfirmed.pk, failed.pk]},
    )
    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    failed.refresh_from_db()
    assert unconfirmed.email_state == "sent" and unconfirmed.email_sent_at == handed
    assert failed.email_state == "failed"  # only unconfirmed emails are settled this way
    assert mail.outbox == []
    assert "自動では再送しません" not in client.get(changelist).content.decode()


def test_the_admin_resends_an_unconfirmed_email_deliberately(
    client, administrator, supervisor, django_capture_on_commit_callbacks
):
    client = admin_client(client, administrator)
    created = notice(supervisor)
    Notification.objects.filter(pk=created.pk).update(email_state="unconfirmed")
    # The resend of failed emails leaves it alone: resending it is a decision of its own.
    client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend_email", "_selected_action": [created.pk]},
    )
    assert Notification.objects.get(pk=created.pk).email_state == "unconfirmed"
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("admin:notifications_notification_changelist"),
            {"action": "resend_unconfirmed_email", "_selected_action": [created.pk]},
        )
    assert len(callbacks) == 1
    assert send_notification_email.apply(args=[created.pk]).get() == "sent"
    assert mail.outbox[0].extra_headers["Message-ID"] == services.email_message_id(created.pk)


def test_the_new_states_and_their_explanation_read_in_english():
    from notifications.admin import UNCONFIRMED_EXPLANATION

    with translation.override("en"):
        assert str(EmailState.HANDING.label) == "Handing over"
        assert str(EmailState.UNCONFIRMED.label) == "Delivery unconfirmed"
        assert str(UNCONFIRMED_EXPLANATION).startswith('An email with "Delivery unconfirmed"')
        assert not set(str(UNCONFIRMED_EXPLANATION)) & set("「」（）、。：")
