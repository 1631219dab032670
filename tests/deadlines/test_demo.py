"""The demo shows deadlines in several states, so the bell and the lists have something to show."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.deadlines.calendar import is_business_day
from incidents.devdata.demo import seed_demo
from incidents.models import Case, Deadline
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_deadlines_in_several_states_and_notices_for_its_staff():
    seed_demo(password="demo-password-for-tests")
    states = set(Deadline.objects.values_list("state", flat=True))
    assert {"open", "met", "escalated"} <= states
    assert Deadline.objects.filter(kind="after_hours_pickup", state="open").exists()
    call_command("seed_demo_compensation")  # as make run does: one case goes to review
    assert Deadline.objects.filter(kind="supervisor_review", state="open").exists()
    assert Deadline.objects.filter(reminded_at__isnull=False).exists()
    assert Case.objects.filter(status="preliminary").count() == 1
    supervisor_notices = Notification.objects.filter(recipient__username="supervisor")
    assert supervisor_notices.filter(kind="new_case").exists()
    assert Notification.objects.filter(recipient__username="teller", kind="reminder").exists()
    seed_demo(password="demo-password-for-tests")  # a second run adds nothing
    assert Case.objects.filter(status="preliminary").count() == 1


def test_the_demos_missed_and_coming_deadlines_fall_at_15_00_on_business_days():
    seed_demo(password="demo-password-for-tests")
    now = timezone.now()
    missed = Deadline.objects.get(case__customer_number="100877", kind="police_report")
    coming = Deadline.objects.get(case__customer_number="100234", kind="customer_documents")
    assert missed.due_at < now < coming.due_at
    for deadline in (missed, coming):
        local = timezone.localtime(deadline.due_at)
        assert (local.hour, local.minute) == (15, 0)
        assert is_business_day(local.date())
    assert missed.state != "met" and coming.reminded_at is not None
