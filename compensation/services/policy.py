"""Policy versions: a change is always a new version; one an approval used is frozen."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compensation import rules, selectors
from compensation.models import (
    REMEDY_APPLICATION_MIN_DAYS,
    REMEDY_NOTICE_MIN_DAYS,
    PolicyVersion,
)
from compensation.rules.vocab import ACT_IN_FORCE_ON, DEFAULT_POLICY_NOTE
from incidents.models import User

DEFAULT_POLICY_VALID_FROM = ACT_IN_FORCE_ON
# The contract's defaults are the rules engine's own (compensation.rules.Policy): written once.
DEFAULT_POLICY_VALUES: dict[str, Any] = {
    **dataclasses.asdict(rules.Policy()),
    # The Remedy Act's periods (docs/domain.md §9.1): the law's minimums.
    "remedy_notice_days": REMEDY_NOTICE_MIN_DAYS,
    "remedy_application_days": REMEDY_APPLICATION_MIN_DAYS,
}
POLICY_FIELDS = tuple(DEFAULT_POLICY_VALUES)


class PolicyFrozenError(ValidationError):
    """A policy version used by an approved decision cannot be changed or deleted."""


# --- Policy parameters -------------------------------------------------------------------------


def policy_version_default_ensure() -> PolicyVersion:
    """Make sure the default policy version (the contract's values) exists; return the earliest."""
    version, _created = PolicyVersion.objects.get_or_create(
        valid_from=DEFAULT_POLICY_VALID_FROM,
        defaults={
            **DEFAULT_POLICY_VALUES,
            "note": DEFAULT_POLICY_NOTE,
        },
    )
    return PolicyVersion.objects.order_by("valid_from").first() or version


def policy_version_check_new_valid_from(valid_from: datetime.date) -> None:
    """Refuse a start day on or before an approved decision's notice day (no retroactive change)."""
    earliest = selectors.policy_earliest_new_valid_from()
    if earliest is not None and valid_from < earliest:
        raise ValidationError(
            {
                "valid_from": _(
                    "承認済みの補償決定（通知日 %(last)s）の判定が変わらないよう、"
                    "適用開始日は %(earliest)s 以降にしてください。"
                )
                % {
                    "last": (earliest - datetime.timedelta(days=1)).strftime("%Y/%m/%d"),
                    "earliest": earliest.strftime("%Y/%m/%d"),
                }
            }
        )


@transaction.atomic
def policy_version_create(
    *, user: User | None, valid_from: datetime.date, values: Mapping[str, Any], note: str = ""
) -> PolicyVersion:
    """Add a policy version that applies from ``valid_from`` (a change is always a new version)."""
    policy_version_check_new_valid_from(valid_from)
    version = PolicyVersion(valid_from=valid_from, note=note, created_by=user)
    for name in POLICY_FIELDS:
        setattr(version, name, values.get(name, DEFAULT_POLICY_VALUES[name]))
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def policy_version_update(
    *, version: PolicyVersion, values: Mapping[str, Any], note: str | None = None
) -> PolicyVersion:
    """Correct a policy version that no approved decision has used yet."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if selectors.policy_version_is_used(locked):
        raise PolicyFrozenError(
            _(
                "この補償基準は承認済みの補償決定に使われているため変更できません。"
                "変更する場合は、適用開始日を後にした新しい補償基準を登録してください。"
            )
        )
    if "valid_from" in values and values["valid_from"] != locked.valid_from:
        policy_version_check_new_valid_from(values["valid_from"])
        locked.valid_from = values["valid_from"]
    for name in POLICY_FIELDS:
        if name in values:
            setattr(locked, name, values[name])
    if note is not None:
        locked.note = note
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def policy_version_delete(*, version: PolicyVersion) -> None:
    """Delete a policy version that no approved decision has used."""
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if selectors.policy_version_is_used(locked):
        raise PolicyFrozenError(
            _("この補償基準は承認済みの補償決定に使われているため削除できません。")
        )
    locked.delete()
