"""Fixtures of the working screens: a supervisor of the other branch, calls, deadlines."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.cases import services
from incidents.models import Deadline
from tests import factories


@pytest.fixture
def other_branch_supervisor(other_branch):
    return factories.staff("supervisor_b", "supervisor", other_branch)


def call(
    agent,
    *,
    account_branch="001",
    account="1234567",
    kind="cash_card",
    state="stolen",
    stop=True,
    **customer,
):
    """An after-hours call taken by the monitoring center, as its console does."""
    fields = {
        "reporter_relation": "self",
        "customer_name": "夜間 太郎",
        "customer_name_kana": "ヤカン タロウ",
        "customer_number": "555001",
    }
    fields.update(customer)
    case, _created = services.case_open_preliminary(
        user=agent,
        token=uuid.uuid4(),
        fields=fields,
        items=[
            {
                "kind": kind,
                "state": state,
                "account_branch": account_branch,
                "account_number": account,
            }
        ],
        stop=stop,
    )
    return case


def deadline(case, *, kind="police_report", hours=24, state="open"):
    """A deadline on the case due ``hours`` from now (negative: already missed)."""
    # update_or_create: the deadlines app may already have opened one from the case's signals.
    obj, _created = Deadline.objects.update_or_create(
        case=case,
        kind=kind,
        state=state,
        defaults={
            "due_at": timezone.now() + timedelta(hours=hours),
            "branch_id": case.branch_id,
            "owner": case.assigned_to,
        },
    )
    return obj


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The branch staff pick lists are cached per process; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
