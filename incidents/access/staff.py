"""Who works at a branch: the pick lists of assignable staff (cached)."""

from __future__ import annotations

from django.core.cache import cache

from incidents.models import User
from incidents.models.choices import (
    Role,
)


def branch_staff(*, branch_id: int | None) -> list[User]:
    """Who can be given a case of the branch: its active tellers and supervisors."""
    if not branch_id:
        return []
    return list(
        User.objects.filter(
            branch_id=branch_id, is_active=True, role__in=[Role.TELLER, Role.SUPERVISOR]
        )
        .only("username", "last_name", "first_name", "branch_id", "role", "is_active")
        .order_by("role", "last_name", "first_name", "username")
    )


STAFF_CACHE_SECONDS = 60


def branch_staff_choices(*, branch_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the branch's staff for pick lists, cached briefly: every queue page shows
    them. Saving a member of staff clears the cache; an assignment is always checked afresh."""
    if not branch_id:
        return []
    key = f"incidents:branch_staff:{branch_id}"
    choices = cache.get(key)
    if choices is None:
        choices = [(u.pk, u.display_name) for u in branch_staff(branch_id=branch_id)]
        cache.set(key, choices, STAFF_CACHE_SECONDS)
    return choices


def branch_staff_forget(*, branch_ids) -> None:
    """Drop the cached pick lists of these branches (a member of staff changed)."""
    cache.delete_many([f"incidents:branch_staff:{pk}" for pk in branch_ids if pk])
