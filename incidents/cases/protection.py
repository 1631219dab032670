"""Elderly customers (docs/domain.md §10): the customer's age on the notification day and the
protection policy that applies to it."""

from __future__ import annotations

import datetime

from incidents.models import Case, ProtectionPolicy
from incidents.models.choices import CustomerType


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February is reached on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def customer_age(case: Case) -> int | None:
    """The customer's age on the notification day; None without a birth date."""
    if case.customer_birth_date is None:
        return None
    return age_on(case.customer_birth_date, case.notified_on)


def elderly_policy_for(case: Case) -> ProtectionPolicy | None:
    """The protection policy in force on the notification day when the customer (an individual)
    has reached its age; None otherwise."""
    age = customer_age(case)
    if age is None or case.customer_type != CustomerType.INDIVIDUAL:
        return None
    policy = ProtectionPolicy.in_force(case.notified_on)
    return policy if age >= policy.elderly_age else None
