"""The case page as a workspace: a summary header that stays, and tabs.

Only 届出内容・措置・取引 is rendered with the page (with the header, the work bar and the merge
panel). 補償 (the compensation panel, evaluated from the case's current facts: the page's most
expensive part), 期限・書類 (deadlines, attachments, links to other cases:
incidents/casepage/documents.py), 経過 (the timeline) and 変更履歴 (the field-by-field history) are
loaded only when opened, from their own URLs: a whole page without script, the bare fragment
(``?partial=1``) for static/js/case_tabs.js. The page's queries stay constant however many
transactions and history lines a case has (tests/incidents/test_case_workspace.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.access.predicates import (
    can_correct,
    can_follow_up,
    can_record_recovery,
)
from incidents.access.staff import branch_staff_choices
from incidents.audit.selectors import case_history
from incidents.casepage.forms import PoliceRecordForm
from incidents.cases import services
from incidents.cases.flags import case_flagged
from incidents.cases.selectors import (
    case_checklist_labels,
    case_get_for_tab,
    case_get_full,
    case_merged_reports,
    case_standing_merges,
    merge_candidates,
)
from incidents.deadlines.selectors import deadline_owed_next
from incidents.models import Case, CaseMerge, TimelineEvent
from incidents.models.choices import (
    CaseStatus,
    ItemKind,
    PoliceStatus,
)
from incidents.models.querysets import ASSIGN, PICKUP, STOP, case_permits

# Lines of the change history per page (the newest first).
HISTORY_PAGE_SIZE = 50
TABS = ("report", "compensation", "documents", "timeline", "history")


# A look changes nothing but the access log (one INSERT): no request transaction, so no savepoint
# and release around it.
@transaction.non_atomic_requests
@login_required
@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Everything entered about a case, under the summary header (the other tabs are loaded
    when opened); the look is logged."""
    case = case_get_full(user=request.user, pk=pk, page=True)
    services.case_access_record(case=case, user=request.user, view="case_detail", path=request.path)
    return render(request, "incidents/case_detail.html", case_detail_context(request, case))


@transaction.non_atomic_requests
@login_required
@require_GET
def case_compensation(request: AuthedRequest, pk: int) -> HttpResponse:
    """The compensation panel (補償), the tab loaded when opened; the look is logged."""
    case = case_get_full(user=request.user, pk=pk)
    services.case_access_record(
        case=case, user=request.user, view="case_compensation", path=request.path
    )
    return tab_response(
        request, case, "compensation", "incidents/_case_compensation.html", {"case": case}
    )


@transaction.non_atomic_requests
@login_required
@require_GET
def case_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's timeline (経過), the tab loaded when opened; the look is logged."""
    case = _case_for_tab(request, pk, view="case_timeline")
    # The timeline of the reports merged into this one (however deep) is shown with its own.
    merged = case_merged_reports(case=case, merges=case_standing_merges(case=case))
    shown = [case.pk, *(m.merged_id for m in merged)]
    events = TimelineEvent.objects.filter(case_id__in=shown).select_related("actor")
    context = {"case": case, "events": from_merged(events, merged)}
    return tab_response(request, case, "timeline", "incidents/_case_timeline.html", context)


@transaction.non_atomic_requests
@login_required
@require_GET
def case_history_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The field-by-field change history (変更履歴), newest first and paginated; the look is
    logged."""
    case = _case_for_tab(request, pk, view="case_history")
    entries = case_history(case=case)
    entries.reverse()
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"case": case, "history": page.object_list, "history_page": page}
    return tab_response(request, case, "history", "incidents/_case_history.html", context)


def _case_for_tab(request: AuthedRequest, pk: int, *, view: str) -> Case:
    case = case_get_for_tab(user=request.user, pk=pk)
    services.case_access_record(case=case, user=request.user, view=view, path=request.path)
    return case


def tab_response(
    request: AuthedRequest, case: Case, tab: str, fragment: str, context: dict
) -> HttpResponse:
    """The bare fragment for the script's tab switch, else a whole page with the header."""
    if request.GET.get("partial") == "1":
        return render(request, fragment, context)
    context |= {
        "active_tab": tab,
        "tab_fragment": fragment,
        # The 期限・書類 tab read every deadline already: no query of its own for the header.
        "owed_next": next((d for d in context["deadlines"] if d.is_unmet), None)
        if "deadlines" in context
        else deadline_owed_next(case=case),
        "can_edit_details": can_correct(request.user, case),
    }
    return render(request, "incidents/case_tab.html", context)


def case_detail_context(request: AuthedRequest, case: Case, **extra) -> dict:
    """What the case page shows: the header, the work bar, the merge panel and the report tab
    (the deadlines, documents and links are the 期限・書類 tab's: documents.py)."""
    transactions = list(case.transactions.all())
    merges = case_standing_merges(case=case)
    context = {
        "can_record_recovery": can_record_recovery(request.user, case),
        "recovery_version": case.version,
        "case": case,
        "flagged": case_flagged(case),
        # From what the page already read (the items are prefetched): no query of its own.
        "shows_fraud": case.supervisor_flagged
        or bool(case.fraud_approach)
        or any(item.kind == ItemKind.TRANSFER_FRAUD for item in case.items.all()),
        "claimed_total": sum(tx.claimed for tx in transactions),
        "checklist_labels": case_checklist_labels(case),
        "owed_next": deadline_owed_next(case=case),
        "active_tab": "report",
        "can_edit_details": can_correct(request.user, case),
        **merge_context(user=request.user, case=case, merges=merges),
        **case_work_context(user=request.user, case=case),
    }
    if can_follow_up(request.user, case) and case.police_status != PoliceStatus.FILED:
        context["police_form"] = PoliceRecordForm()
        context["police_version"] = case.version
    context.update(extra)
    return context


def from_merged(rows, merged: list[CaseMerge]) -> list:
    """The rows, each written on a report of ``merged`` (case_merged_reports) marked with that
    report's number."""
    numbers = {m.merged_id: m.merged.number for m in merged}
    rows = list(rows)
    for row in rows:
        row.merged_number = numbers.get(row.case_id, "")
    return rows


def merge_context(*, user, case: Case, merges: list[CaseMerge]) -> dict:
    """The merges standing on the case (with whether the user may undo each), the case this one
    was merged into, and the duplicates a supervisor may merge into it."""
    into = [m for m in merges if m.survivor_id == case.pk]
    out = next((m for m in merges if m.merged_id == case.pk), None)
    return {
        "merges_in": [(m, services.undo_refusal(user=user, merge=m) is None) for m in into],
        "merge_out": out,
        "merge_out_undoable": out is not None
        and services.undo_refusal(user=user, merge=out) is None,
        "merge_candidates": merge_candidates(user=user, case=case),
    }


def case_work_context(*, user, case: Case) -> dict:
    """What the user may do on the case page: assign, claim, pick up, stop."""
    # A preliminary case is assigned by its pickup, not before.
    can_assign = case.status not in (
        CaseStatus.DRAFT,
        CaseStatus.PRELIMINARY,
        CaseStatus.MERGED,
    ) and case_permits(user, case, ASSIGN)
    can_pickup = case.status == CaseStatus.PRELIMINARY and case_permits(user, case, PICKUP)
    staff = branch_staff_choices(branch_id=case.branch_id) if (can_assign or can_pickup) else []
    return {
        "can_assign": can_assign,
        "can_pickup": can_pickup,
        "can_stop": not case.is_draft and not case.is_merged and case_permits(user, case, STOP),
        "staff": staff,
    }
