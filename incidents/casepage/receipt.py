"""The printable receipt (受付票) and its print button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedRequest
from incidents.access.predicates import can_print_receipt
from incidents.casepage.receipt_selectors import receipt_follow_ups
from incidents.cases import services
from incidents.cases.edits import EditStamp, new_edit_key
from incidents.cases.selectors import (
    case_get_full,
)
from incidents.cases.services.timeline import bank_language
from incidents.models.choices import (
    ActionStatus,
)


@login_required
@require_GET
def case_receipt(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable receipt (受付票) handed to the customer; looking at it is logged as a look,
    printing it (the print button) as a print."""
    case = case_get_full(user=request.user, pk=pk)
    if case.is_draft:
        raise Http404
    services.case_access_record(case=case, user=request.user, view="receipt", path=request.path)
    # What the customer receives is in the bank's language whoever prints it (the template's
    # {% language BANK_LANGUAGE %} covers what it renders itself).
    with bank_language():
        follow_ups = receipt_follow_ups(case)
    return render(
        request,
        "incidents/receipt.html",
        {
            "case": case,
            "follow_ups": follow_ups,
            "done_actions": [a for a in case.actions.all() if a.status == ActionStatus.DONE],
            "declined_actions": [
                a for a in case.actions.all() if a.status == ActionStatus.DECLINED
            ],
            "printed_at": timezone.localtime(),
            "can_print": can_print_receipt(request.user, case),
        },
    )


@login_required
@require_POST
def case_receipt_printed(request: AuthedRequest, pk: int) -> HttpResponse:
    """The print button of the receipt: note the print on the timeline (once per press)."""
    case = case_get_full(user=request.user, pk=pk)
    if case.is_draft:
        raise Http404
    if not can_print_receipt(request.user, case):
        raise PermissionDenied
    services.case_receipt_printed(
        case=case, user=request.user, key=EditStamp.from_request(request).key
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"ok": True, "next_key": str(new_edit_key())})
    messages.info(request, _("印刷を記録しました。ブラウザの印刷（Ctrl+P）で印刷してください。"))
    return redirect("incidents:case_receipt", pk=case.pk)
