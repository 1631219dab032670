"""What comes in after submission: police report, recoveries, documents received."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from incidents.access.predicates import can_follow_up, can_record_recovery
from incidents.casepage.detail import case_detail_context
from incidents.casepage.documents import documents_url
from incidents.casepage.forms import PoliceRecordForm, RecoveryForm
from incidents.cases import services
from incidents.cases.edits import STALE_MESSAGE, EditStamp, newer_field_values, stale_refusal
from incidents.cases.selectors import (
    case_get_full,
)
from incidents.deadlines.services import case_deadline_meet
from incidents.models import Deadline
from incidents.models.choices import (
    MANUAL_DEADLINE_KINDS,
    PoliceStatus,
)
from incidents.models.querysets import CHANGE


@login_required
@require_POST
def transaction_recovery(request: AuthedRequest, pk: int, tx_pk: int) -> HttpResponse:
    """Record how much of one transaction came back (組戻し等による回収額)."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not can_record_recovery(request.user, case):
        raise PermissionDenied
    tx = next((t for t in case.transactions.all() if t.pk == tx_pk), None)
    if tx is None:
        raise Http404
    form = RecoveryForm(request.POST, transaction=tx)
    stamp = EditStamp.from_request(request)
    version = stamp.version if stamp.version is not None else case.version
    if form.is_valid():
        try:
            services.transaction_record_recovery(
                case=case,
                transaction_id=tx.pk,
                user=request.user,
                amount=form.cleaned_data["recovered_amount"],
                stamp=stamp,
            )
        except services.StaleCaseError as error:
            messages.error(request, STALE_MESSAGE)
            case, version = case_get_full(user=request.user, pk=pk), error.current.version
        except services.EditReplayed:
            return redirect(case.get_absolute_url() + "#transactions")
        else:
            messages.success(
                request,
                _("回収額を記録しました（%(amount)s円）。")
                % {"amount": f"{form.cleaned_data['recovered_amount']:,}"},
            )
            return redirect(case.get_absolute_url() + "#transactions")
    context = case_detail_context(
        request, case, recovery_form=form, recovery_tx=tx.pk, recovery_version=version
    )
    return render(request, "incidents/case_detail.html", context)


@login_required
@require_POST
def case_record_police(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the police report filed after submission; it meets the police-report deadline."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not can_follow_up(request.user, case):
        raise PermissionDenied
    if case.police_status == PoliceStatus.FILED:
        messages.info(request, _("警察への届出は記録済です。"))
        return redirect(case)
    form = PoliceRecordForm(request.POST)
    stamp = EditStamp.from_request(request)
    extra: dict = {"police_version": stamp.version if stamp.version is not None else case.version}
    if form.is_valid():
        try:
            services.case_update(
                case=case,
                user=request.user,
                step="police",
                fields={"police_status": PoliceStatus.FILED, **form.cleaned_data},
                stamp=stamp,
            )
        except services.StaleCaseError as error:
            newer = newer_field_values(form, error.current, tuple(form.fields))
            stale = stale_refusal(request, error, newer)
            case = case_get_full(user=request.user, pk=pk)
            extra = {"police_version": stale["version"], "newer_values": stale["newer_values"]}
        except services.EditReplayed:
            return redirect(case)
        else:
            messages.success(request, _("警察への届出を記録しました。"))
            return redirect(case)
    context = case_detail_context(request, case, police_form=form, **extra)
    return render(request, "incidents/case_detail.html", context)


@login_required
@require_POST
def deadline_meet_view(request: AuthedRequest, pk: int, deadline_pk: int) -> HttpResponse:
    """Mark a deadline the branch closes by hand (the customer's documents) as done."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not can_follow_up(request.user, case):
        raise PermissionDenied
    deadline = (
        Deadline.objects.restrict(request.user, CHANGE)
        .filter(case=case, kind__in=MANUAL_DEADLINE_KINDS)
        .filter(pk=deadline_pk)
        .first()
    )
    if deadline is None:
        raise Http404
    try:
        met = case_deadline_meet(
            case=case,
            user=request.user,
            deadline_id=deadline.pk,
            stamp=EditStamp.from_request(request),
        )
    except services.EditReplayed:
        met = True
    except services.StaleCaseError:
        messages.error(request, STALE_MESSAGE)
        return redirect(documents_url(case, "deadlines"))
    if met:
        messages.success(
            request,
            _("「%(kind)s」を完了にしました。") % {"kind": deadline.get_kind_display()},
        )
    # Back to the tab the button is on (期限・書類).
    return redirect(documents_url(case, "deadlines"))
