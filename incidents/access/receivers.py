"""What follows a member of staff's saved row: their role's group, and the pick lists of staff of
the branches they left and joined (connected in incidents.apps)."""

from __future__ import annotations

from typing import Any

from incidents.access.roles import role_group_assign
from incidents.access.staff import branch_staff_forget
from incidents.models.people import STAFF_LIST_FIELDS, User


def staff_saved(sender: type[User], instance: User, update_fields=None, **kwargs: Any) -> None:
    """Keep the member of staff in the group of their role, and the branches' lists fresh."""
    if update_fields is None or "role" in update_fields:
        role_group_assign(user=instance)
    if update_fields is None or set(update_fields) & STAFF_LIST_FIELDS:
        before = getattr(instance, "_branch_before", None)
        branch_staff_forget(branch_ids={instance.branch_id, before})
