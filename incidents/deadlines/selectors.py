"""Deadlines still owed, for the start page and the case page."""

from __future__ import annotations

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Value, When

from incidents.models import (
    Case,
    Deadline,
    User,
)
from incidents.models.choices import (
    UNMET_DEADLINE_STATES,
    DeadlineKind,
)


def deadline_list_for_home(*, user: User, limit: int = 20) -> list[Deadline]:
    """Deadlines still owed on the cases the user may see: pickups first, then the latest due."""
    return list(
        Deadline.objects.restrict(user)
        .filter(state__in=UNMET_DEADLINE_STATES)
        .select_related("case", "branch", "owner")
        .annotate(
            pickup_first=CaseWhen(
                When(kind=DeadlineKind.AFTER_HOURS_PICKUP, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pickup_first", "due_at", "pk")[:limit]
    )


def deadline_list_for_case(*, case: Case) -> list[Deadline]:
    """Every deadline of a case (also met and cancelled ones), earliest due first."""
    return list(case.deadlines.select_related("owner").order_by("due_at", "pk"))


def deadline_owed_next(*, case: Case) -> Deadline | None:
    """What is owed next on the case (the header): the unmet deadline due first, or None."""
    # One row, no join: the header shows its kind, due time and whether it is late.
    return case.deadlines.filter(state__in=UNMET_DEADLINE_STATES).order_by("due_at", "pk").first()
