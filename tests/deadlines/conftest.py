"""Builders for the deadline tests: cases at a fixed moment, and an after-hours call."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from incidents.cases.services import drafts
from incidents.cases.signals import case_submitted
from incidents.models import Case
from incidents.models.choices import CaseStatus
from tests import factories


def jst(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def preliminary_case(agent, branch, *, at: datetime | None = None) -> Case:
    """An after-hours call the monitoring center opened for ``branch`` (仮受付), as its intake does."""
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            branch=branch,
            created_by=agent,
            channel="phone",
            notified_at=at,
            after_hours=True,
            customer_name="山田 太郎",
            customer_name_kana="ヤマダ タロウ",
            police_status="not_yet",
        )
        case.year, case.sequence, case.number = drafts._next_case_number(case)
        case.status = CaseStatus.PRELIMINARY
        case.submitted_at = at
        case.submitted_by = agent
        case.save()
        case_submitted.send(sender=Case, case=case, user=agent)
    return case


@pytest.fixture
def police_pending_case(teller):
    """A stolen card reported with withdrawals and no police report yet."""
    return factories.stolen_card_case(teller, police="not_yet")
