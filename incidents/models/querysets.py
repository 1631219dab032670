"""Branch and role scoping: the one place that decides which cases a member of staff may touch.

Every view reads cases through ``Case.objects.restrict(user, action)``; related rows are reached
through a restricted case. A case the user may not see is simply absent, so views answer 404.

Two questions, both answered here: may the user do ``action`` at all (the permission their role's
group holds), and on which cases (their branch, or every branch for the monitoring center and
compliance)?
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import models

from incidents.models.choices import Role

VIEW = "view"
CHANGE = "change"
ASSIGN = "assign"  # set or change who works a case (supervisors)
PICKUP = "pickup"  # take over an after-hours preliminary case at its branch
STOP = "stop"  # carry out a protective stop on a case

ACTION_PERMISSIONS = {
    VIEW: "incidents.view_case",
    CHANGE: "incidents.change_case",
    ASSIGN: "incidents.assign_case",
    PICKUP: "incidents.pickup_case",
    STOP: "incidents.perform_stop",
}


class RestrictedQuerySet(models.QuerySet):
    """A queryset of rows that belong to a case, scoped through that case."""

    case_lookup = "case__"

    def restrict(self, user, action: str = VIEW) -> RestrictedQuerySet:
        """Rows of the cases ``user`` may perform ``action`` on."""
        condition = case_condition(user, action)
        if condition is None:
            return self.none()
        if condition is True:
            return self.all()
        return self.filter(
            **{f"{self.case_lookup}{key}": value for key, value in condition.items()}
        )


class CaseQuerySet(RestrictedQuerySet):
    """Cases, scoped to the user's branch and role."""

    case_lookup = ""


def case_condition(user, action: str) -> dict[str, Any] | Literal[True] | None:
    """Filter kwargs on Case for ``user`` and ``action``; True for all cases, None for none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    permission = ACTION_PERMISSIONS.get(action)
    if permission is None:
        raise ValueError(f"unknown action {action!r}")
    role = user.role
    if role == Role.ADMIN:
        # Administrators manage branches, staff and parameters, not customers' cases.
        return None
    if not user.has_perm(permission):
        return None
    if role in (Role.TELLER, Role.SUPERVISOR):
        return {"branch_id": user.branch_id} if user.branch_id else None
    if role in (Role.MONITORING, Role.COMPLIANCE):
        # The monitoring center takes after-hours calls for every branch (docs/domain.md §1);
        # compliance reads everything, and its group holds no permission to change anything.
        return True
    return None


def spans_branches(user) -> bool:
    """Whether the user works on every branch's cases (and so filters the queue by branch)."""
    return user.role in (Role.MONITORING, Role.COMPLIANCE)


def case_permits(user, case, action: str) -> bool:
    """Whether ``restrict(user, action)`` would include ``case``, without asking the database.

    For showing or hiding a button on a page the user already may see; the action's view still
    reads the case through ``restrict``.
    """
    condition = case_condition(user, action)
    if condition is None:
        return False
    if condition is True:
        return True
    return all(getattr(case, key) == value for key, value in condition.items())
