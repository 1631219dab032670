"""The compensation demo data: one decided case and one in review, on top of incidents' demo."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.models.choices import CaseStatus

pytestmark = pytest.mark.django_db


def test_the_demo_gets_a_decided_case_and_one_in_review_and_can_be_seeded_twice():
    call_command("seed_demo", stdout=None)
    call_command("seed_demo_compensation")
    call_command("seed_demo_compensation")
    approved = Decision.objects.get(status=DecisionStatus.APPROVED)
    submitted = Decision.objects.get(status=DecisionStatus.SUBMITTED)
    assert approved.case.status == CaseStatus.DECIDED
    assert approved.prepared_by.username == "teller"
    assert approved.reviewed_by.username == "supervisor2"
    assert approved.outcome == "partial" and approved.compensation_total == 375330
    assert submitted.case.status == CaseStatus.IN_REVIEW
    assert Decision.objects.count() == 2


def test_without_the_incidents_demo_it_does_nothing():
    call_command("seed_demo_compensation")
    assert not Decision.objects.exists()
