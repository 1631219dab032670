"""Discarding a draft (asked twice) and withdrawing one whose stops are in force (four eyes)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthedRequest
from incidents.access.predicates import is_branch_supervisor_of, takes_reports
from incidents.cases import services
from incidents.cases.edits import STALE_MESSAGE, EditStamp
from incidents.cases.selectors import case_get_full
from incidents.models import Case, ProtectiveAction, WithdrawalRequest
from incidents.models.choices import ActionStatus, WithdrawalState
from incidents.models.querysets import CHANGE


class DiscardForm(forms.Form):
    """The teller's confirmation that the draft is to be discarded."""

    confirm = forms.BooleanField(
        label=gettext_lazy("この下書きを破棄します（取下げとして記録され、元に戻せません）"),
        error_messages={"required": gettext_lazy("破棄する場合はチェックを入れてください。")},
    )


class WithdrawalRequestForm(forms.Form):
    """The reason for withdrawing a report with stops in force, and the stops to lift."""

    reason = forms.CharField(
        label=gettext_lazy("取下げの理由"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    stops = forms.TypedMultipleChoiceField(
        label=gettext_lazy("解除する措置"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "実施済みの措置はすべて解除の対象です。役席の承認後、勘定系端末で解除してください。"
        ),
        error_messages={"required": gettext_lazy("解除する措置を選んでください。")},
    )

    def __init__(self, *args, in_force: list[ProtectiveAction], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stops"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.get_kind_display()} — {a.item or ''}（{a.reference}）") for a in in_force
        ]

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("取下げの理由を入力してください。"), code="required")
        return reason

    def clean_stops(self) -> list[int]:
        chosen = self.cleaned_data["stops"]
        offered = {value for value, _label in self.fields["stops"].choices}  # type: ignore[attr-defined]
        if set(chosen) != offered:
            raise forms.ValidationError(
                _(
                    "実施済みの措置はすべて解除の対象にしてください。"
                    "届出のない停止が残らないようにするためです。"
                ),
                code="all",
            )
        return chosen


class DecideForm(forms.Form):
    """A supervisor's decision on a withdrawal request."""

    decision = forms.ChoiceField(
        choices=[("confirm", gettext_lazy("承認")), ("reject", gettext_lazy("差戻し"))]
    )
    comment = forms.CharField(label=gettext_lazy("コメント"), max_length=400, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "reject" and not data.get("comment", "").strip():
            self.add_error("comment", _("差し戻す場合は理由を入力してください。"))
        return data


def _draft(request: AuthedRequest, pk: int) -> Case:
    if not takes_reports(request.user):
        raise PermissionDenied
    return case_get_full(user=request.user, pk=pk, action=CHANGE)


def _in_force(case: Case) -> list[ProtectiveAction]:
    return list(case.actions.filter(status=ActionStatus.DONE).select_related("item"))


@login_required
def case_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    """Discard a draft before any stop, once confirmed (kept as withdrawn, never deleted); a draft
    with a stop carried out goes to the withdrawal request instead."""
    case = _draft(request, pk)
    if not case.is_draft:
        return redirect(case)
    if _in_force(case):
        if request.method == "POST":
            messages.error(
                request,
                _(
                    "実施済みの措置（停止）があるため、この届出は破棄できません。"
                    "解除する措置と理由を入力して取下げを申請し、役席の承認を受けてください。"
                ),
            )
        return redirect("incidents:case_withdrawal", pk=case.pk)
    form = DiscardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_discard_draft(
                case=case, user=request.user, stamp=EditStamp.from_request(request)
            )
        except services.EditReplayed:
            pass
        except services.StaleCaseError as error:
            messages.error(request, STALE_MESSAGE)
            if not error.current.is_draft:
                return redirect(case)
            return redirect("incidents:case_discard", pk=case.pk)
        except services.DiscardRefusedError as refused:
            if refused.awaited:
                messages.error(request, str(services.STOPS_AWAITED_MESSAGE))
                return redirect("incidents:case_discard", pk=case.pk)
            return redirect("incidents:case_withdrawal", pk=case.pk)
        messages.info(request, _("下書きを破棄しました。"))
        return redirect("incidents:home")
    return render(request, "incidents/intake/discard.html", {"case": case, "form": form})


def _withdrawal_page(
    request: AuthedRequest,
    case: Case,
    *,
    form: WithdrawalRequestForm | None = None,
    decide_form: DecideForm | None = None,
    version: int | None = None,
) -> HttpResponse:
    pending = case.withdrawal_requests.filter(state=WithdrawalState.PENDING).first()
    in_force = _in_force(case)
    may_decide = (
        pending is not None
        and is_branch_supervisor_of(request.user, case)
        and pending.requested_by_id != request.user.pk
    )
    if pending is None and form is None:
        form = WithdrawalRequestForm(in_force=in_force, initial={"stops": [a.pk for a in in_force]})
    return render(
        request,
        "incidents/intake/withdrawal.html",
        {
            "case": case,
            "version": case.version if version is None else version,
            "form": form if pending is None else None,
            "pending": pending,
            "in_force": in_force,
            "may_decide": may_decide,
            "decide_form": (decide_form or DecideForm()) if may_decide else None,
            "past": case.withdrawal_requests.exclude(state=WithdrawalState.PENDING),
        },
    )


@login_required
def case_withdrawal(request: AuthedRequest, pk: int) -> HttpResponse:
    """Request the withdrawal of a draft whose stops are in force, or see the request pending
    (a supervisor other than the requester confirms or rejects it there)."""
    case = _draft(request, pk)
    if not case.is_draft:
        return redirect(case)
    pending = case.withdrawal_requests.filter(state=WithdrawalState.PENDING).exists()
    in_force = _in_force(case)
    if not in_force and not pending:
        return redirect("incidents:case_discard", pk=case.pk)
    if request.method != "POST":
        return _withdrawal_page(request, case)
    if pending:
        messages.info(request, _("この届出の取下げはすでに申請され、役席の承認待ちです。"))
        return redirect("incidents:case_withdrawal", pk=case.pk)
    form = WithdrawalRequestForm(request.POST, in_force=in_force)
    if not form.is_valid():
        return _withdrawal_page(request, case, form=form)
    try:
        services.withdrawal_request_create(
            case=case,
            user=request.user,
            reason=form.cleaned_data["reason"],
            stop_ids=form.cleaned_data["stops"],
            stamp=EditStamp.from_request(request),
        )
    except services.EditReplayed:
        pass
    except services.StaleCaseError as error:
        # Typed values kept: the form comes back on the case's current version.
        messages.error(request, STALE_MESSAGE)
        return _withdrawal_page(request, case, form=form, version=error.current.version)
    except services.WithdrawalError as error:
        messages.error(request, str(error))
        return _withdrawal_page(request, case, form=form)
    messages.success(request, _("取下げを申請しました。役席の承認をお待ちください。"))
    return redirect("incidents:case_withdrawal", pk=case.pk)


@login_required
@require_POST
def withdrawal_decide(request: AuthedRequest, pk: int, withdrawal_pk: int) -> HttpResponse:
    """A supervisor of the branch, not the requester, confirms (stops lifted, report withdrawn)
    or rejects a withdrawal request."""
    case = _draft(request, pk)
    withdrawal = get_object_or_404(WithdrawalRequest, pk=withdrawal_pk, case=case)
    if not is_branch_supervisor_of(request.user, case):
        raise PermissionDenied
    if withdrawal.requested_by_id == request.user.pk:
        # Four eyes: the requester never decides their own request.
        raise PermissionDenied
    form = DecideForm(request.POST)
    if not form.is_valid():
        if not case.is_draft:
            return redirect(case)
        return _withdrawal_page(request, case, decide_form=form)
    stamp = EditStamp.from_request(request)
    try:
        if form.cleaned_data["decision"] == "confirm":
            services.withdrawal_confirm(withdrawal=withdrawal, user=request.user, stamp=stamp)
            messages.success(request, _("取下げを承認しました。措置は解除として記録されました。"))
            return redirect("incidents:home")
        services.withdrawal_reject(
            withdrawal=withdrawal,
            user=request.user,
            comment=form.cleaned_data["comment"],
            stamp=stamp,
        )
        messages.info(request, _("取下げ申請を差し戻しました。"))
    except services.EditReplayed:
        pass
    except services.StaleCaseError as error:
        messages.error(request, STALE_MESSAGE)
        if error.current.is_draft:
            return _withdrawal_page(request, case, decide_form=form, version=error.current.version)
    except services.WithdrawalError as error:
        messages.error(request, str(error))
    if not Case.objects.filter(pk=case.pk, status="draft").exists():
        return redirect("incidents:home")
    return redirect("incidents:case_withdrawal", pk=case.pk)
