"""The case page: everything entered, its deadlines, timeline and history."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.access.predicates import (
    attachment_may_open_withdrawn,
    attachment_may_withdraw,
    can_attach,
    can_correct,
    can_follow_up,
    can_record_recovery,
)
from incidents.access.staff import branch_staff_choices
from incidents.audit.selectors import case_history
from incidents.casepage.forms import AttachmentForm, AttachmentWithdrawForm, PoliceRecordForm
from incidents.cases import services
from incidents.cases.flags import case_flagged
from incidents.cases.selectors import (
    case_checklist_labels,
    case_get_full,
)
from incidents.deadlines.selectors import deadline_list_for_case
from incidents.links.selectors import case_links, skimming_window
from incidents.models import Case
from incidents.models.choices import (
    MANUAL_DEADLINE_KINDS,
    CaseStatus,
    ItemKind,
    PoliceStatus,
)
from incidents.models.querysets import ASSIGN, PICKUP, STOP, case_permits


@login_required
@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Everything entered about a case, with its deadlines, timeline and change history; the
    look is logged."""
    case = case_get_full(user=request.user, pk=pk)
    services.case_access_record(case=case, user=request.user, view="case_detail", path=request.path)
    return render(request, "incidents/case_detail.html", case_detail_context(request, case))


def case_detail_context(request: AuthedRequest, case: Case, **extra) -> dict:
    transactions = list(case.transactions.all())
    follows_up = can_follow_up(request.user, case)
    context = {
        "links": case_links(case=case, user=request.user),
        "skimming_days": skimming_window().days,
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
        "events": case.events.select_related("actor"),
        # The customer's follow-ups are the receipt's; the page shows the deadlines behind them.
        "deadlines": deadline_list_for_case(case=case),
        "can_follow_up": follows_up,
        "can_edit_details": can_correct(request.user, case),
        "manual_deadline_kinds": MANUAL_DEADLINE_KINDS,
        "history": case_history(case=case),
        "attachments": list(
            case.attachments.select_related("uploaded_by", "withdrawal__withdrawn_by")
        ),
        **case_work_context(user=request.user, case=case),
    }
    if can_attach(request.user, case):
        context["attachment_form"] = AttachmentForm()
    if attachment_may_withdraw(user=request.user, case=case):
        context["withdraw_form"] = AttachmentWithdrawForm()
    context["can_open_withdrawn"] = attachment_may_open_withdrawn(user=request.user)
    if follows_up and case.police_status != PoliceStatus.FILED:
        context["police_form"] = PoliceRecordForm()
        context["police_version"] = case.version
    context.update(extra)
    return context


def case_work_context(*, user, case: Case) -> dict:
    """What the user may do on the case page: assign, claim, pick up, stop."""
    # A preliminary case is assigned by its pickup, not before.
    can_assign = case.status not in (CaseStatus.DRAFT, CaseStatus.PRELIMINARY) and case_permits(
        user, case, ASSIGN
    )
    can_pickup = case.status == CaseStatus.PRELIMINARY and case_permits(user, case, PICKUP)
    staff = branch_staff_choices(branch_id=case.branch_id) if (can_assign or can_pickup) else []
    return {
        "can_assign": can_assign,
        "can_pickup": can_pickup,
        "can_stop": not case.is_draft and case_permits(user, case, STOP),
        "staff": staff,
    }
