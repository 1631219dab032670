"""Views of the compensation review: thin, reading through selectors and writing through services."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedRequest
from compensation import forms, selectors, services
from compensation.models import CaseAssessment, Decision
from incidents.cases import services as incident_services
from incidents.cases.edits import (
    STALE_ACTION_MESSAGE,
    EditReplayed,
    EditStamp,
    StaleCaseError,
    form_replayed,
)
from incidents.models import Case
from incidents.models.choices import Role
from incidents.models.querysets import CHANGE

NO_DECISION_ROLES = (Role.MONITORING, Role.ADMIN)


def _log_look(request: AuthedRequest, case: Case, view: str) -> None:
    """Every page showing a case is on the access log (閲覧記録)."""
    if request.method == "GET":
        incident_services.case_access_record(
            case=case, user=request.user, view=view, path=request.path
        )


def _case_url(case: Case) -> str:
    return case.get_absolute_url() + "#compensation"


def _guarded_write(
    request: AuthedRequest, case: Case, write: Callable[[EditStamp], object], *, done: str
) -> HttpResponse | list[str]:
    """Run a guarded service with the posted form's stamp: back to the case (saying ``done``), or
    the problems to show on the form again; the same form posted twice lands where the first
    did."""
    try:
        write(EditStamp.from_request(request))
    except EditReplayed:
        return redirect(_case_url(case))
    except StaleCaseError:
        return [str(STALE_ACTION_MESSAGE)]
    except services.DecisionError as error:
        return error.problems
    messages.success(request, done)
    return redirect(_case_url(case))


def _findings_forms(evaluation: selectors.Evaluation, data=None):
    assessment = evaluation.case_facts.assessment
    findings = forms.FindingsForm(data, instance=assessment or CaseAssessment(case=evaluation.case))
    faults = [
        (
            view,
            forms.FaultForm(
                data,
                prefix=f"fault-{view.item.pk}",
                view=view,
                initial={
                    "fault": view.confirmed.fault if view.confirmed else "",
                    "reason": view.confirmed.override_reason if view.confirmed else "",
                },
            ),
        )
        for view in evaluation.items
        if view.needs_finding
    ]
    rates = [
        (
            line,
            forms.RateForm(
                data,
                prefix=f"rate-{line.tx.pk}",
                line=line,
                initial={
                    "rate": line.rate_record.rate if line.rate_record else None,
                    "reason": line.rate_record.reason if line.rate_record else "",
                },
            ),
        )
        for line in evaluation.lines
        if line.is_case_by_case
    ]
    return findings, faults, rates


@login_required
def findings(request: AuthedRequest, pk: int) -> HttpResponse:
    """The supervisor records the facts, confirms each item's fault and sets case-by-case rates."""
    case = selectors.case_for_compensation(user=request.user, pk=pk, action=CHANGE)
    if form_replayed(request, case):
        return redirect(_case_url(case))
    if not selectors.can_record_findings(request.user, case):
        raise PermissionDenied
    _log_look(request, case, "compensation_findings")
    evaluation = selectors.case_evaluate(case)
    version = case.version
    errors: list[str] = []
    if request.method == "POST":
        findings_form, fault_forms, rate_forms = _findings_forms(evaluation, request.POST)
        valid = findings_form.is_valid()
        valid &= all(form.is_valid() for _view, form in fault_forms)
        valid &= all(form.is_valid() for _line, form in rate_forms)
        if valid:
            try:
                services.findings_save(
                    case=case,
                    user=request.user,
                    fields={
                        name: findings_form.cleaned_data[name]
                        for name in forms.FindingsForm.Meta.fields
                    },
                    faults={
                        view.item.pk: (form.cleaned_data["fault"], form.cleaned_data["reason"])
                        for view, form in fault_forms
                        if form.cleaned_data["fault"]
                    },
                    rates={
                        line.tx.pk: (form.cleaned_data["rate"], form.cleaned_data["reason"])
                        for line, form in rate_forms
                        if form.cleaned_data["rate"] is not None
                    },
                    stamp=EditStamp.from_request(request),
                )
            except EditReplayed:
                return redirect(_case_url(case))
            except StaleCaseError as error:
                messages.error(
                    request,
                    _(
                        "この事故の事実認定は、画面を開いた後に他の役席が更新しました。"
                        "入力した内容は残しています。最新の判定を確認のうえ、もう一度保存してください。"
                    ),
                )
                version = error.current.version
                case = selectors.case_for_compensation(user=request.user, pk=pk, action=CHANGE)
                evaluation = selectors.case_evaluate(case)
            except services.DecisionError as error:
                errors = error.problems
            else:
                messages.success(request, _("補償審査の事実認定を保存しました。"))
                return redirect(_case_url(case))
    else:
        findings_form, fault_forms, rate_forms = _findings_forms(evaluation)
    return render(
        request,
        "compensation/findings.html",
        {
            "case": case,
            "evaluation": evaluation,
            "form": findings_form,
            "fault_forms": fault_forms,
            "rate_forms": rate_forms,
            "version": version,
            "errors": errors,
        },
    )


@login_required
@require_POST
def submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The preparer submits the case's compensation for review by another supervisor."""
    case = selectors.case_for_compensation(user=request.user, pk=pk, action=CHANGE)
    if not selectors.branch_staff_of(request.user, case):
        raise PermissionDenied
    if form_replayed(request, case):
        return redirect(_case_url(case))
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        for error_list in form.errors.values():
            for error in error_list:
                messages.error(request, str(error))
        return redirect(_case_url(case))
    try:
        services.decision_submit(
            case=case,
            user=request.user,
            note=form.cleaned_data["note"],
            stamp=EditStamp.from_request(request),
        )
    except EditReplayed:
        messages.success(request, _("補償の審査を依頼しました。別の役席が審査します。"))
    except StaleCaseError:
        messages.error(request, STALE_ACTION_MESSAGE)
    except services.DecisionError as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("補償の審査を依頼しました。別の役席が審査します。"))
    return redirect(_case_url(case))


@login_required
def review(request: AuthedRequest, pk: int) -> HttpResponse:
    """A second supervisor reviews the open decision: approve it or send it back with a comment."""
    if request.user.role != Role.SUPERVISOR:
        raise PermissionDenied
    case = selectors.case_for_compensation(user=request.user, pk=pk, action=CHANGE)
    if form_replayed(request, case):
        return redirect(_case_url(case))
    _log_look(request, case, "compensation_review")
    decisions = selectors.case_decisions(case)
    decision = selectors.decision_open(decisions)
    if decision is None:
        messages.info(request, _("審査待ちの補償決定はありません。"))
        return redirect(_case_url(case))
    decision.case = case
    evaluation = selectors.case_evaluate(case)
    approve_form = forms.ApproveForm(initial={"fingerprint": evaluation.fingerprint})
    return_form = forms.ReturnForm()
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        refused = False
        if action in ("approve", "return"):
            # Four eyes first: the preparer learns why, whatever else the form holds.
            try:
                services.decision_review_check(user=request.user, decision=decision)
            except services.DecisionError as error:
                refused, errors = True, error.problems
        if refused:
            pass
        elif action == "approve":
            approve_form = forms.ApproveForm(request.POST)
            if approve_form.is_valid():
                fingerprint = approve_form.cleaned_data["fingerprint"]
                outcome = _guarded_write(
                    request,
                    case,
                    lambda stamp: services.decision_approve(
                        decision=decision,
                        user=request.user,
                        expected_fingerprint=fingerprint,
                        stamp=stamp,
                    ),
                    done=_("補償決定を承認しました。"),
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                # Refused: the outcome as it now stands is what a second click would approve.
                errors = outcome
                approve_form = forms.ApproveForm(initial={"fingerprint": evaluation.fingerprint})
        elif action == "return":
            return_form = forms.ReturnForm(request.POST)
            if return_form.is_valid():
                comment = return_form.cleaned_data["comment"]
                outcome = _guarded_write(
                    request,
                    case,
                    lambda stamp: services.decision_return(
                        decision=decision, user=request.user, comment=comment, stamp=stamp
                    ),
                    done=_("補償決定を差し戻しました。"),
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                errors = outcome
        else:
            raise Http404
    authors = selectors.finding_authors(case)  # once, for the button and the note
    return render(
        request,
        "compensation/review.html",
        {
            "case": case,
            "decision": decision,
            "decisions": decisions,
            "evaluation": evaluation,
            "circumstances": selectors.review_circumstances(evaluation=evaluation),
            "approval_problems": selectors.evaluation_approval_problems(evaluation),
            "may_review": selectors.can_review(request.user, decision, authors=authors),
            "is_preparer": decision.prepared_by_id == request.user.pk,
            "found_facts": request.user.pk in authors,
            "approve_form": approve_form,
            "return_form": return_form,
            "errors": errors,
        },
    )


@login_required
def paid(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record that the approved compensation was paid (decided → paid)."""
    case = selectors.case_for_compensation(user=request.user, pk=pk, action=CHANGE)
    if form_replayed(request, case):
        return redirect(_case_url(case))
    current = selectors.decision_current(selectors.case_decisions(case))
    if not selectors.can_mark_paid(request.user, case, current):
        raise PermissionDenied
    _log_look(request, case, "compensation_paid")
    errors: list[str] = []
    if request.method == "POST":
        form = forms.PaidForm(request.POST)
        if form.is_valid():
            entered = form.cleaned_data
            outcome = _guarded_write(
                request,
                case,
                lambda stamp: services.case_mark_paid(
                    case=case,
                    user=request.user,
                    paid_on=entered["paid_on"],
                    reference=entered["reference"],
                    stamp=stamp,
                ),
                done=_("補償金の支払を記録しました。"),
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            errors = outcome
    else:
        form = forms.PaidForm()
    return render(
        request,
        "compensation/paid.html",
        {"case": case, "decision": current, "form": form, "errors": errors},
    )


def _readable_decision(request: AuthedRequest, pk: int, decision_pk: int, view: str) -> Decision:
    if request.user.role in NO_DECISION_ROLES:
        raise PermissionDenied
    decision = selectors.decision_get(user=request.user, case_pk=pk, pk=decision_pk)
    _log_look(request, decision.case, view)
    return decision


@login_required
@require_GET
def decision_detail(request: AuthedRequest, pk: int, decision_pk: int) -> HttpResponse:
    """One decision as recorded: who prepared and reviewed it, the stored facts and result."""
    decision = _readable_decision(request, pk, decision_pk, "compensation_decision")
    return render(
        request,
        "compensation/decision.html",
        {
            "case": decision.case,
            "decision": decision,
            "stored": selectors.decision_stored(decision),
        },
    )


@login_required
@require_GET
def decision_facts(request: AuthedRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The approved decision's facts snapshot: the input of ``manage.py assess_compensation``."""
    decision = _readable_decision(request, pk, decision_pk, "compensation_decision_facts")
    if not decision.is_approved:
        raise Http404
    response = HttpResponse(
        json.dumps(decision.facts, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )
    name = f"{decision.case.number or decision.case.pk}-decision-{decision.number}-facts.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def letter(request: AuthedRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The printable decision letter (補償に関するご連絡), for approved decisions only."""
    decision = _readable_decision(request, pk, decision_pk, "compensation_letter")
    if not decision.is_approved:
        raise Http404
    services.decision_letter_record(decision=decision, user=request.user)
    return render(
        request,
        "compensation/letter.html",
        {
            "case": decision.case,
            "decision": decision,
            "stored": selectors.decision_stored(decision),
            "printed_at": timezone.localtime(),
            "case_url": reverse("incidents:case_detail", args=[decision.case_id]),
        },
    )
