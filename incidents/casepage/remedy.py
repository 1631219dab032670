"""Freeze requests to receiving banks (振込先口座の凍結依頼, docs/domain.md §9): the list, a new
request, and later its answer and the Deposit Insurance Corporation's public notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthedRequest
from incidents.access.predicates import can_request_freeze
from incidents.casepage.forms import FreezeRequestForm
from incidents.cases import services
from incidents.cases.edits import EditStamp, stale_refusal
from incidents.cases.selectors import case_get_full
from incidents.models import Case, FreezeRequest
from incidents.models.choices import TRANSFER_CHANNELS, FreezeAnswer


def _initial(case: Case, freeze: FreezeRequest | None) -> dict:
    if freeze is not None:
        initial = {name: getattr(freeze, name) for name in services.FREEZE_FIELDS}
        initial["requested_at"] = timezone.localtime(freeze.requested_at)
        initial["request_id"] = freeze.pk
        return initial
    initial = {"requested_at": timezone.localtime().replace(second=0, microsecond=0)}
    # The first receiving account not yet asked about: the usual next request.
    asked = {
        (f.payee_bank, f.payee_branch, f.payee_account_number) for f in case.freeze_requests.all()
    }
    for tx in case.transactions.all():
        key = (tx.payee_bank, tx.payee_branch, tx.payee_account_number)
        if tx.channel in TRANSFER_CHANNELS and tx.payee_account_number and key not in asked:
            initial.update(
                payee_bank=tx.payee_bank,
                payee_branch=tx.payee_branch,
                payee_account_number=tx.payee_account_number,
                payee_account_name=tx.payee_account_name,
            )
            break
    return initial


def _tell(request: AuthedRequest, freeze: FreezeRequest, *, to_core: bool) -> None:
    if not to_core:
        messages.success(request, _("凍結依頼を記録しました。"))
    elif freeze.answer == FreezeAnswer.FROZEN:
        messages.success(request, _("当行の口座のため、勘定系で支払停止し凍結しました。"))
    elif freeze.answer == FreezeAnswer.REFUSED:
        messages.warning(
            request, _("勘定系は凍結を受け付けませんでした。理由は「回答の内容」をご覧ください。")
        )
    elif freeze.answer_note == services.FREEZE_WAITING_NOTE:
        messages.success(
            request,
            _(
                "当行の口座のため、勘定系へ凍結を依頼しました。"
                "勘定系の回答（凍結・受付不可）はこの画面に記録されます。"
            ),
        )
    else:
        messages.success(request, _("凍結依頼を記録しました。"))


@login_required
def case_freeze_requests(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's freeze requests; its branch records a new one or the answer to one."""
    case = case_get_full(user=request.user, pk=pk)
    may_record = can_request_freeze(request.user, case)
    requests = list(case.freeze_requests.select_related("recorded_by"))
    by_id = {freeze.pk: freeze for freeze in requests}
    context: dict = {"case": case, "freeze_requests": requests, "version": case.version}
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        form = FreezeRequestForm(request.POST)
        if form.is_valid():
            request_id = form.cleaned_data["request_id"]
            if request_id is not None and request_id not in by_id:
                raise Http404
            data = form.cleaned_data
            to_core = services.core_branch_for(
                bank=data["payee_bank"], branch=data["payee_branch"], answer=data["answer"]
            )
            try:
                freeze = services.freeze_request_save(
                    case=case,
                    user=request.user,
                    fields=form.cleaned_data,
                    request_id=request_id,
                    stamp=EditStamp.from_request(request),
                )
            except services.EditReplayed:
                return redirect("incidents:case_freeze_requests", pk=case.pk)
            except services.StaleCaseError as error:
                context.update(stale_refusal(request, error))
            else:
                _tell(request, freeze, to_core=to_core is not None)
                return redirect("incidents:case_freeze_requests", pk=case.pk)
    elif may_record:
        editing = None
        wanted = request.GET.get("edit", "")
        if wanted:
            # Only ASCII digits name a request (a superscript "²" is a digit to str.isdigit).
            if not (wanted.isascii() and wanted.isdigit()):
                raise Http404
            editing = by_id.get(int(wanted))
            if editing is None:
                raise Http404
        form = FreezeRequestForm(initial=_initial(case, editing))
    else:
        form = None
    context["form"] = form
    return render(request, "incidents/freeze_requests.html", context)
