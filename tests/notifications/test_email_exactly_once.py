"""A real worker sending through a real SMTP server is killed (SIGKILL) mid-send: the email still
arrives exactly once, or waits for a person where the server may already have it.

The worker's Django uses the SMTP backend, pointed at an aiosmtpd server in the test process that
holds one of its replies; the worker is killed while it waits for that reply. Then the resend job
runs as if STALE_CLAIM had passed, and a fresh worker takes over.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.mailserver import mail_server
from tests.workers import broker, redis_server, wait_for, worker

__all__ = ["broker", "mail_server", "redis_server", "worker"]  # fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)

# The resend job's tick once a dead worker's claim has gone stale.
AFTER_STALE_CLAIM = services.STALE_CLAIM + services.RESEND_AFTER + timedelta(minutes=1)


@pytest.fixture
def smtp_worker(mail_server, worker):
    """The real worker, sending with Django's SMTP backend to the test's mail server (which
    outlives it). Its log is printed, and shown when the test fails."""
    worker.environment.update(
        {
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": mail_server.host,
            "DJANGO_EMAIL_PORT": str(mail_server.port),
            "DJANGO_EMAIL_TIMEOUT": "30",
        }
    )
    yield worker
    print(worker.output())


def notice(user):
    # Outside a transaction: committed at once, and its email task handed to the broker.
    return services.notification_create(
        recipient=user, kind="info", title="期限が近づいています：001-2026-00001", body="本文"
    )


def email_state(notification) -> str:
    return Notification.objects.get(pk=notification.pk).email_state


def message_ids(server) -> list[str]:
    return [m["Message-ID"] for m in server.messages()]


def test_a_worker_killed_while_the_server_is_slow_to_close_has_already_recorded_the_email_sent(
    smtp_worker, mail_server, supervisor
):
    mail_server.hold("QUIT")
    smtp_worker.start()
    created = notice(supervisor)
    mail_server.wait_held("QUIT", timeout=60)
    # The server accepted the message; the row said so before the worker began to close.
    assert email_state(created) == "sent"
    smtp_worker.kill()
    mail_server.release()

    assert services.notification_resend_owed(now=timezone.now() + AFTER_STALE_CLAIM) == 0
    smtp_worker.start()
    smtp_worker.wait_ready()
    # The killed worker's task, delivered again, finds nothing owed.
    send_notification_email.delay(created.pk)
    wait_for(lambda: "'not_owed'" in smtp_worker.output(), timeout=60, what="the redelivered task")
    assert message_ids(mail_server) == [services.email_message_id(created.pk)]
    created.refresh_from_db()
    assert created.email_state == "sent" and created.email_attempts == 1


def test_a_worker_killed_before_the_message_reached_the_server_leaves_it_sent_once_later(
    smtp_worker, mail_server, supervisor
):
    mail_server.hold("EHLO")
    smtp_worker.start()
    created = notice(supervisor)
    mail_server.wait_held("EHLO", timeout=60)
    assert email_state(created) == "sending"  # claimed, nothing handed over yet
    smtp_worker.kill()
    mail_server.release()
    assert mail_server.messages() == []

    # The stale claim never reached the server: the email is owed again and handed over.
    assert services.notification_resend_owed(now=timezone.now() + AFTER_STALE_CLAIM) == 1
    smtp_worker.start()
    wait_for(lambda: email_state(created) == "sent", timeout=60, what="the fresh worker's send")
    assert message_ids(mail_server) == [services.email_message_id(created.pk)]
    created.refresh_from_db()
    assert created.email_attempts == 2


def test_a_worker_killed_while_handing_over_leaves_an_unconfirmed_email_that_the_admin_resends(
    smtp_worker, mail_server, supervisor, administrator, client
):
    mail_server.hold("DATA")  # the server keeps the message; its reply never reaches the worker
    smtp_worker.start()
    created = notice(supervisor)
    mail_server.wait_held("DATA", timeout=60)
    assert email_state(created) == "handing"
    smtp_worker.kill()
    mail_server.release()

    # The server may have it (it does): no tick of the resend job hands it over again.
    later = timezone.now() + AFTER_STALE_CLAIM
    assert services.notification_resend_owed(now=later) == 0
    assert services.notification_resend_owed(now=later + timedelta(days=1)) == 0
    assert email_state(created) == "unconfirmed"
    smtp_worker.start()
    smtp_worker.wait_ready()
    assert len(mail_server.messages()) == 1

    # A person checked with the recipient and resends it, deliberately.
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    changelist = reverse("admin:notifications_notification_changelist")
    assert "自動では再送しません" in client.get(changelist).content.decode()
    client.post(
        changelist, {"action": "resend_unconfirmed_email", "_selected_action": [created.pk]}
    )
    wait_for(lambda: email_state(created) == "sent", timeout=60, what="the deliberate resend")
    # Once more, with the same Message-ID, so the two copies can be recognised as one.
    assert message_ids(mail_server) == [services.email_message_id(created.pk)] * 2
    client.post(
        changelist, {"action": "resend_unconfirmed_email", "_selected_action": [created.pk]}
    )
    assert email_state(created) == "sent"
    assert services.notification_resend_owed(now=timezone.now() + AFTER_STALE_CLAIM) == 0
