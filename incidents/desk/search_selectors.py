"""The case search every role has: the cases the user may see, found by one key."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from incidents.models import Case, User
from incidents.models.querysets import VIEW

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class SearchResult:
    """The cases found (newest report first) and whether there were more than shown."""

    cases: list[Case]
    more: bool


def case_search(*, user: User, condition: Q, limit: int = SEARCH_LIMIT) -> SearchResult:
    """The cases ``user`` may see that match ``condition`` (incidents.models.search), in one
    query: the scope is restrict(user), so another branch's case is never found."""
    rows = list(
        Case.objects.restrict(user, VIEW)
        .filter(condition)
        .select_related("branch", "assigned_to")
        .order_by("-notified_at", "-id")[: limit + 1]
    )
    return SearchResult(cases=rows[:limit], more=len(rows) > limit)
