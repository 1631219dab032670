"""Many notices in one insert (the deadline scan's batches): once per key, emails handed over in
one message after commit, fanned out by a worker task into one email task each."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import services
from notifications.models import Notification
from notifications.services import NotificationDraft
from notifications.tasks import enqueue_notification_emails, send_notification_email
from tests import factories

pytestmark = pytest.mark.django_db


def drafts(*users, key="k"):
    return [
        NotificationDraft(
            recipient=user,
            kind="reminder",
            title=f"期限が近づいています：{user.username}",
            body="本文",
            url="/cases/1/",
            link_label="001-2026-00001",
            dedupe_key=f"{key}:{user.pk}",
        )
        for user in users
    ]


def test_many_notices_are_one_insert_and_their_emails_one_hand_over_after_commit(
    teller, supervisor, django_assert_num_queries, django_capture_on_commit_callbacks
):
    silent = factories.staff("noaddress", "teller", teller.branch)
    silent.email = ""
    silent.save()
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(1):
        ids = services.notification_create_many(drafts=drafts(teller, supervisor, silent))
    assert len(ids) == 3 and len(callbacks) == 1
    states = dict(Notification.objects.values_list("recipient__username", "email_state"))
    assert states == {"teller": "pending", "supervisor": "pending", "noaddress": "not_sent"}
    assert Notification.objects.filter(email_due_at__isnull=False).count() == 2


def test_a_notice_whose_key_exists_is_not_written_again(teller, supervisor):
    (first,) = services.notification_create_many(drafts=drafts(teller))
    again = services.notification_create_many(drafts=drafts(teller, supervisor))
    assert first not in again and len(again) == 1
    assert Notification.objects.filter(recipient=teller).count() == 1
    assert services.notification_create_many(drafts=[]) == []


def test_the_hand_over_task_gives_each_email_its_own_task_and_each_is_sent_once(teller, supervisor):
    ids = services.notification_create_many(drafts=drafts(teller, supervisor))
    assert enqueue_notification_emails.apply(args=[ids]).get() == 2
    # What the two email tasks do, run here: each claims its row, so a second run sends nothing.
    assert [send_notification_email.apply(args=[pk]).get() for pk in ids] == ["sent", "sent"]
    assert [send_notification_email.apply(args=[pk]).get() for pk in ids] == [
        "not_owed",
        "not_owed",
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "supervisor@bank.example",
        "teller@bank.example",
    ]
