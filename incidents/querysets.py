"""Branch and role scoping: the one place that decides which cases a member of staff may touch.

Every view reads cases through ``Case.objects.restrict(user, action)``; related rows are reached
through a restricted case. A case the user may not see is simply absent, so views answer 404.
"""

from __future__ import annotations

from django.db import models

VIEW = "view"
CHANGE = "change"


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


def case_condition(user, action: str) -> dict | bool | None:
    """Filter kwargs on Case for ``user`` and ``action``; True for all cases, None for none."""
    from .choices import Role  # local import: choices imports nothing from here, but keep it lazy

    if user is None or not user.is_authenticated or not user.is_active:
        return None
    role = user.role
    if role in (Role.TELLER, Role.SUPERVISOR):
        return {"branch_id": user.branch_id} if user.branch_id else None
    if role == Role.MONITORING:
        # The monitoring center takes after-hours calls for every branch (DOMAIN §1).
        return True
    if role == Role.COMPLIANCE:
        return True if action == VIEW else None
    # Administrators manage branches, staff and parameters, not customers' cases.
    return None
