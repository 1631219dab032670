"""Redis stops while a case is submitted: the case is saved, its notice waits, then is delivered."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from incidents.models import Case
from notifications import services
from notifications.models import Notification
from tests import factories
from tests.workers import broker, decoded_body, decoded_subject, redis_server, wait_for, worker

__all__ = ["broker", "redis_server", "worker"]  # fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_case_submitted_while_redis_is_down_is_saved_and_its_notice_sent_when_redis_returns(
    worker, broker, teller, supervisor
):
    broker.stop()
    started = time.monotonic()
    case = factories.stolen_card_case(teller, police="not_yet")
    assert time.monotonic() - started < 15  # the teller is not kept waiting on the broker

    case = Case.objects.get(pk=case.pk)
    assert case.status == "reported" and case.number
    assert case.deadlines.filter(kind="police_report", state="open").exists()
    notice = Notification.objects.get(kind="new_case", recipient=supervisor)
    assert notice.email_state == "pending" and notice.email_attempts == 0

    broker.start()
    worker.start()
    # The resend job's next tick, once the email has waited past its due time.
    assert services.notification_resend_owed(now=timezone.now() + services.RESEND_AFTER) == 1
    try:
        wait_for(
            lambda: Notification.objects.filter(pk=notice.pk, email_state="sent").exists(),
            timeout=60,
            what="the worker to send the waiting email",
        )
    except AssertionError:
        print(worker.output())
        raise
    emails = worker.emails()
    assert len(emails) == 1
    assert emails[0]["To"] == supervisor.email
    assert case.number in decoded_subject(emails[0]) and case.number in decoded_body(emails[0])
    # A later tick has nothing left to hand over.
    assert services.notification_resend_owed(now=timezone.now() + services.RESEND_AFTER) == 0
