"""The compensation policy in force on a notification day."""

from __future__ import annotations

import datetime

from django.db.models import Max

from compensation import rules
from compensation.choices import DecisionStatus
from compensation.models import Decision, PolicyVersion
from incidents.models import Case

# --- Policy parameters -------------------------------------------------------------------------


def policy_version_in_force(*, on: datetime.date) -> PolicyVersion | None:
    """The policy version that applies to a case notified on ``on`` (the earliest before any)."""
    found = PolicyVersion.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if found is None:
        found = PolicyVersion.objects.order_by("valid_from").first()
    return found


def case_policy_version(case: Case) -> PolicyVersion | None:
    """The version in force for the case's notification day, looked up once per loaded case (the
    case page's flags and its compensation panel ask for the same one)."""
    memo: dict[str, PolicyVersion | None] = case.__dict__.setdefault("_policy_lookup", {})
    if "version" not in memo:
        memo["version"] = policy_version_in_force(on=case.notified_on)
    return memo["version"]


def policy_from_version(version: PolicyVersion | None) -> rules.Policy:
    """The engine's Policy for a stored version; the contract's defaults when there is none."""
    if version is None:
        return rules.Policy()
    return rules.Policy(**{name: getattr(version, name) for name in rules.POLICY_FIELDS})


def policy_in_force(*, on: datetime.date) -> rules.Policy:
    """The engine's Policy in force for a case notified on ``on``."""
    return policy_from_version(policy_version_in_force(on=on))


def policy_version_is_used(version: PolicyVersion) -> bool:
    """Whether an approved decision applied this version (it is then frozen)."""
    if version.pk is None:
        return False
    return Decision.objects.filter(policy=version, status=DecisionStatus.APPROVED).exists()


def policy_earliest_new_valid_from() -> datetime.date | None:
    """The earliest day a new version may apply from: after every approved decision's notice day.

    A new version must not change how an already approved case would be assessed.
    """
    latest = Decision.objects.filter(status=DecisionStatus.APPROVED).aggregate(
        latest=Max("notified_on")
    )["latest"]
    return latest + datetime.timedelta(days=1) if latest else None


def first_free_day(start: datetime.date, taken: set[datetime.date]) -> datetime.date:
    """The first day on or after ``start`` that is not in ``taken``."""
    day = start
    while day in taken:
        day += datetime.timedelta(days=1)
    return day


def policy_next_free_valid_from(*, on_or_after: datetime.date) -> datetime.date:
    """The first day on or after ``on_or_after`` from which no version applies yet (valid_from
    is unique: the admin form proposes a day it will accept)."""
    taken = set(
        PolicyVersion.objects.filter(valid_from__gte=on_or_after).values_list(
            "valid_from", flat=True
        )
    )
    return first_free_day(on_or_after, taken)
