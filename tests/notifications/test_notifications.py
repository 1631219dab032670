"""Notices to staff: written with the event, emailed once, retried, read under the bell."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests import factories
from tests.workers import free_port

pytestmark = pytest.mark.django_db


def notice(user, **fields):
    values = {"kind": "info", "title": "期限が近づいています：001-2026-00001", "body": "本文"}
    values.update(fields)
    return services.notification_create(recipient=user, **values)


def test_the_notice_is_written_in_the_callers_transaction_and_mailed_after_commit(
    supervisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        created = notice(supervisor, url="/cases/1/")
    assert created.email_state == "pending" and len(callbacks) == 1

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks() as callbacks,
        transaction.atomic(),
    ):
        notice(supervisor, title="rolled back")
        raise RuntimeError("the event failed")
    assert callbacks == []
    assert not Notification.objects.filter(title="rolled back").exists()


def test_staff_without_an_email_address_get_the_notice_in_the_app_only(
    teller, django_capture_on_commit_callbacks
):
    teller.email = ""
    teller.save()
    with django_capture_on_commit_callbacks() as callbacks:
        created = notice(teller)
    assert created.email_state == "not_sent" and callbacks == []


def test_a_notice_with_a_key_is_created_once(supervisor):
    first = notice(supervisor, dedupe_key="deadline:1:remind:1")
    second = notice(supervisor, dedupe_key="deadline:1:remind:1")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_the_email_is_sent_once_even_when_the_task_runs_twice(supervisor):
    created = notice(supervisor, url="/cases/7/")
    assert send_notification_email.apply(args=[created.pk]).get() == "sent"
    assert send_notification_email.apply(args=[created.pk]).get() == "not_owed"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["supervisor@bank.example"]
    assert message.subject == "[守り] 期限が近づいています：001-2026-00001"
    assert "Supervisor テスト 様" in message.body
    assert "http://127.0.0.1:8000/cases/7/" in message.body
    created.refresh_from_db()
    assert created.email_state == "sent" and created.email_attempts == 1
    assert created.email_sent_at is not None


def test_the_email_is_written_in_the_language_the_recipient_chose(supervisor):
    supervisor.language = "en"
    supervisor.save()
    created = notice(supervisor)
    send_notification_email.apply(args=[created.pk])
    # Rendered under the recipient's language: the frame of the email is in English.
    assert mail.outbox[0].subject.startswith("[Mamori] ")
    assert mail.outbox[0].extra_headers["Content-Language"] == "en"
    supervisor.language = "ja"
    supervisor.save()
    send_notification_email.apply(args=[notice(supervisor).pk])
    assert mail.outbox[1].extra_headers["Content-Language"] == "ja"


def test_a_refused_email_is_retried_with_backoff_then_given_up(supervisor, settings):
    # A real SMTP connection to a port nobody listens on.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    created = notice(supervisor)
    send_notification_email.apply(args=[created.pk])
    created.refresh_from_db()
    assert created.email_state == "failed"
    assert created.email_attempts == send_notification_email.max_retries + 1
    assert "ConnectionRefusedError" in created.email_error
    assert mail.outbox == []
    assert [services.retry_countdown(n) // 30 for n in range(3)] == [1, 2, 4]
    assert services.retry_countdown(20) <= services.RETRY_MAX_SECONDS * 1.1


def test_the_administrator_can_resend_a_failed_email(
    supervisor, django_capture_on_commit_callbacks
):
    created = notice(supervisor)
    Notification.objects.filter(pk=created.pk).update(email_state="failed")
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.notification_email_retry(notification_ids=[created.pk]) == 1
    created.refresh_from_db()
    assert created.email_state == "pending" and len(callbacks) == 1


def test_an_email_whose_worker_died_mid_send_is_owed_again(supervisor):
    created = notice(supervisor)
    claimed = timezone.now() - timedelta(minutes=30)
    Notification.objects.filter(pk=created.pk).update(
        email_state="sending", email_claimed_at=claimed
    )
    # The broker is a port nobody listens on: the email is owed again and waits for the next tick.
    from tests.workers import celery_broker

    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):
        assert services.notification_resend_owed() == 0
    created.refresh_from_db()
    assert created.email_state == "pending"
    assert send_notification_email.apply(args=[created.pk]).get() == "sent"


def test_the_bell_shows_the_unread_count_in_the_header(client, teller, supervisor):
    notice(teller)
    notice(teller)
    notice(supervisor)
    client.force_login(teller)
    html = client.get(reverse("incidents:home")).content.decode()
    assert 'data-testid="bell"' in html
    assert 'data-testid="bell-count">2</span>' in html


def test_the_list_shows_the_users_notices_and_marks_them_read(
    client, teller, supervisor, django_assert_max_num_queries
):
    case = factories.stolen_card_case(teller)
    for n in range(3):
        notice(teller, title=f"通知{n}", url=case.get_absolute_url(), link_label=case.number)
    notice(supervisor, title="役席あて")
    client.force_login(teller)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('data-testid="notification"') == 3 and "役席あて" not in html
    mine = Notification.objects.filter(recipient=teller).first()
    response = client.post(reverse("notifications:read", args=[mine.pk]), {"open": "1"})
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=teller, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=supervisor, read_at__isnull=True).count() == 2


def test_the_list_page_costs_the_same_queries_with_many_notices(
    client, teller, django_assert_max_num_queries
):
    for n in range(40):
        notice(teller, title=f"通知{n}")
    client.force_login(teller)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("notifications:list")).content.decode()
    assert html.count('data-testid="notification"') == 30  # one page


def test_nobody_reads_or_opens_another_persons_notice(client, teller, supervisor):
    theirs = notice(supervisor)
    client.force_login(teller)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_never_redirects_off_site(client, teller):
    created = notice(teller, url="https://evil.example/")
    client.force_login(teller)
    response = client.post(reverse("notifications:read", args=[created.pk]), {"open": "1"})
    assert response.url == reverse("notifications:list")


def test_signed_out_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/login/" in response.url


def test_the_administrator_resends_failed_emails_from_the_admin(client, administrator, supervisor):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    failed, sent = notice(supervisor), notice(supervisor)
    Notification.objects.filter(pk=failed.pk).update(email_state="failed")
    Notification.objects.filter(pk=sent.pk).update(email_state="sent")
    response = client.post(
        reverse("admin:notifications_notification_changelist"),
        {"action": "resend_email", "_selected_action": [failed.pk, sent.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.email_state == "pending" and sent.email_state == "sent"
