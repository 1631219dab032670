"""The branch's start page: drafts and open cases."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery

from incidents.desk.queue_selectors import awaiting_pickup, with_deadline_badges
from incidents.models import (
    Case,
    IntakeAutosave,
    User,
)
from incidents.models.choices import (
    CaseStatus,
)


def case_list_for_home(*, user: User) -> dict[str, QuerySet]:
    """The teller's drafts and the branch's open cases, after-hours cases awaiting pickup first."""
    cases = Case.objects.restrict(user).select_related("branch", "assigned_to")
    kept = IntakeAutosave.objects.filter(case=OuterRef("pk")).order_by("-saved_at")
    open_cases = with_deadline_badges(
        awaiting_pickup(
            cases.exclude(status__in=[CaseStatus.DRAFT, CaseStatus.CLOSED, CaseStatus.WITHDRAWN])
        )
    )
    return {
        # Each with the step whose typing was kept (Case.resume_step), in the same query.
        "drafts": cases.filter(status=CaseStatus.DRAFT, created_by=user)
        .annotate(kept_step=Subquery(kept.values("step")[:1]))
        .order_by("-updated_at")[:50],
        "open_cases": open_cases.order_by(
            "-awaiting_pickup", F("pickup_due").asc(nulls_last=True), "-notified_at", "-pk"
        )[:50],
    }
