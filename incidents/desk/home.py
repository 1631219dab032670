"""Each role's start page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.access.predicates import takes_reports
from incidents.deadlines.selectors import deadline_list_for_home
from incidents.desk.home_selectors import case_list_for_home
from incidents.models.choices import (
    Role,
)


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """Each role's start page: the branch's cases for tellers and supervisors (after-hours cases
    awaiting pickup on top), the console for the monitoring center, the queue for compliance."""
    user = request.user
    if user.has_perm("incidents.take_after_hours_call"):
        return redirect("incidents:monitoring_console")
    if user.role == Role.COMPLIANCE:
        return redirect("incidents:queue")
    context: dict[str, Any] = {
        **case_list_for_home(user=user),
        "can_take_reports": takes_reports(user),
        "can_pickup": user.has_perm("incidents.pickup_case"),
        "now": timezone.now(),
        "owed_deadlines": deadline_list_for_home(user=user),
    }
    return render(request, "incidents/home.html", context)
