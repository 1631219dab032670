"""Views of freeze cases: thin, reading through compensation.selectors.remedy and writing through
compensation.services through one helper (``_guarded``). A refused or stale write shows the page
again with what was typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthedRequest
from compensation import services
from compensation.choices import DecisionStatus, FreezeStatus
from compensation.freezes import forms
from compensation.models import FreezeCase
from compensation.selectors import remedy as read
from incidents.attachments.storage import AttachmentRefused, path_of, refusal_words
from incidents.cases.edits import EditReplayed, EditStamp
from incidents.models.choices import Role


def _workable(request: AuthedRequest, pk: int) -> FreezeCase:
    freeze = read.freeze_case_get(user=request.user, pk=pk)
    if not read.can_work_freeze(request.user, freeze):
        raise PermissionDenied
    return freeze


@login_required
@require_GET
def freeze_list(request: AuthedRequest) -> HttpResponse:
    """The freeze cases of the user's branch (compliance: every branch)."""
    if not read.can_open_freeze(request.user) and request.user.role != Role.COMPLIANCE:
        raise PermissionDenied
    return render(
        request,
        "compensation/freezes/list.html",
        {"freezes": read.freeze_cases_visible(request.user)[:500]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def freeze_open(request: AuthedRequest, key: str) -> HttpResponse:
    """Open a freeze case from a freeze candidate on /links/accounts/ (a supervisor)."""
    if not read.can_open_freeze(request.user):
        raise PermissionDenied
    account = read.freeze_candidate(user=request.user, key=key)
    if account is None:
        raise Http404
    existing = read.open_freeze_keys([key]).get(key)
    if existing is not None:
        return redirect("freezes:detail", pk=existing)
    # An account at another bank is refused before anything is typed (the service refuses too).
    errors: list[str] = read.freeze_candidate_problems(account)
    form = forms.FreezeOpenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not errors and form.is_valid():
        try:
            freeze = services.freeze_case_open(
                user=request.user,
                key=key,
                balance=form.cleaned_data["balance"],
                note=form.cleaned_data["note"],
            )
        except services.DecisionError as error:
            errors = error.problems
        else:
            if freeze.status == FreezeStatus.FROZEN:
                messages.success(
                    request,
                    _("口座を凍結しました（照会番号 %(ref)s）。") % {"ref": freeze.stop_reference},
                )
            else:
                messages.success(
                    request,
                    _(
                        "勘定系へ口座の凍結を依頼しました。"
                        "勘定系が凍結を確認すると、この画面に照会番号が表示されます。"
                    ),
                )
            return redirect("freezes:detail", pk=freeze.pk)
    return render(
        request,
        "compensation/freezes/open.html",
        {"account": account, "form": form, "errors": errors},
    )


def _detail(request: AuthedRequest, freeze: FreezeCase, **bound: Any) -> HttpResponse:
    """The freeze case page, with any form bound to what was typed and the errors; every
    showing of it (a refused form's too) goes on the access log."""
    services.freeze_access_record(
        freeze=freeze, user=request.user, view="freeze_detail", path=request.path
    )
    can_work = read.can_work_freeze(request.user, freeze)
    current = read.distribution_current(freeze)
    # Who may approve or return is the service's own rule (four eyes); the page says why not.
    review_refusal = (
        read.distribution_review_refusal(decision=current, user=request.user)
        if can_work and current is not None and current.status == DecisionStatus.SUBMITTED
        else ""
    )
    context = {
        "freeze": freeze,
        "can_work": can_work,
        "applications": read.freeze_applications(freeze),
        "decisions": read.distribution_decisions(freeze),
        "current": current,
        "periods": read.remedy_periods(on=freeze.notice_starts_on or timezone.localdate()),
        "notice_form": bound.get("notice_form") or forms.NoticeForm(),
        "open_form": bound.get("open_form") or forms.ApplicationsOpenForm(),
        "application_form": bound.get("application_form") or forms.ApplicationForm(),
        "decide_form": bound.get("decide_form") or forms.ApplicationDecideForm(),
        "decide_pk": bound.get("decide_pk"),
        # One form per pending application: without ids, so the rows' fields do not collide.
        "decide_blank": forms.ApplicationDecideForm(auto_id=False),
        "review_form": bound.get("review_form") or forms.DistributionReviewForm(),
        "core_form": bound.get("core_form") or forms.FreezeCoreForm(),
        "core_unconfirmed": read.freeze_core_unconfirmed(freeze),
        "may_review": review_refusal is None,
        "review_refusal": review_refusal,
        "errors": bound.get("errors", []),
        "statuses": FreezeStatus,
        "timeline": read.freeze_timeline(freeze),
    }
    return render(
        request, "compensation/freezes/detail.html", context, status=400 if bound else 200
    )


@login_required
@require_GET
def freeze_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One freeze case: the account, the periods, the applications, the distribution, the
    timeline; the read goes on the access log."""
    return _detail(request, read.freeze_case_get(user=request.user, pk=pk))


def _guarded(
    request: AuthedRequest,
    freeze: FreezeCase,
    write: Callable[[dict[str, Any], EditStamp], str],
    *,
    form: Form | None = None,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """Every write of a freeze case page, in one place: check the form, run ``write`` (which
    calls a guarded service and returns what to tell the user) with the posted form's stamp,
    then back to the page. A refusal shows the page again with what was typed: a stale form on
    the freeze case as it now stands (saving again is then a choice); the same form posted
    twice lands where the first post did."""
    bound = dict(bound or {})
    if form is not None and not form.is_valid():
        return _detail(request, freeze, **bound)
    try:
        message = write(
            form.cleaned_data if form is not None else {}, EditStamp.from_request(request)
        )
    except EditReplayed:
        return redirect("freezes:detail", pk=freeze.pk)
    except services.StaleFreezeError as stale:
        fresh = read.freeze_case_get(user=request.user, pk=stale.current.pk)
        return _detail(request, fresh, errors=stale.problems, **bound)
    except AttachmentRefused as refused:
        return _detail(request, freeze, errors=[refusal_words(refused)], **bound)
    except services.DecisionError as error:
        return _detail(request, freeze, errors=error.problems, **bound)
    messages.success(request, message)
    return redirect("freezes:detail", pk=freeze.pk)


@login_required
@require_POST
def freeze_core(request: AuthedRequest, pk: int) -> HttpResponse:
    """A freeze the core did not confirm: ask it again (a new request), or record the freeze made
    at the core's terminal with its reference."""
    freeze = _workable(request, pk)
    form = forms.FreezeCoreForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        if data["action"] == "retry":
            services.freeze_case_retry(freeze=freeze, user=request.user, stamp=stamp)
            return _("勘定系へ口座の凍結を再依頼しました。")
        services.freeze_case_record_by_hand(
            freeze=freeze, user=request.user, stamp=stamp, reference=data["reference"]
        )
        return _("勘定系の端末で凍結した照会番号を記録しました。")

    return _guarded(request, freeze, write, form=form, bound={"core_form": form})


@login_required
@require_POST
def freeze_notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the request to the Deposit Insurance Corporation and the notice's first day."""
    freeze = _workable(request, pk)
    form = forms.NoticeForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        services.freeze_notice_record(freeze=freeze, user=request.user, stamp=stamp, **data)
        return _("公告を記録しました。")

    return _guarded(request, freeze, write, form=form, bound={"notice_form": form})


@login_required
@require_POST
def freeze_applications_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the first day of the application period for distribution."""
    freeze = _workable(request, pk)
    form = forms.ApplicationsOpenForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        services.freeze_applications_open(
            freeze=freeze, user=request.user, stamp=stamp, opens_on=data["opens_on"]
        )
        return _("分配金の申請期間を記録しました。")

    return _guarded(request, freeze, write, form=form, bound={"open_form": form})


@login_required
@require_POST
def application_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a victim's application."""
    freeze = _workable(request, pk)
    form = forms.ApplicationForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        services.application_record(freeze=freeze, user=request.user, stamp=stamp, **data)
        return _("申請を記録しました。")

    return _guarded(request, freeze, write, form=form, bound={"application_form": form})


@login_required
@require_POST
def application_decide(request: AuthedRequest, pk: int, application_pk: int) -> HttpResponse:
    """Accept or reject one application, with the reason."""
    freeze = _workable(request, pk)
    application = freeze.applications.filter(pk=application_pk).first()
    if application is None:
        raise Http404
    form = forms.ApplicationDecideForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        services.application_decide(
            application=application,
            user=request.user,
            stamp=stamp,
            accept=data["decision"] == "accept",
            reason=data["reason"],
        )
        return _("申請の決定を記録しました。")

    bound = {"decide_form": form, "decide_pk": application.pk}
    return _guarded(request, freeze, write, form=form, bound=bound)


@login_required
@require_POST
def evidence_upload(request: AuthedRequest, pk: int, application_pk: int) -> HttpResponse:
    """Attach a document supporting one application."""
    freeze = _workable(request, pk)
    application = freeze.applications.filter(pk=application_pk).first()
    if application is None:
        raise Http404
    form = forms.EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, freeze, errors=[e for es in form.errors.values() for e in es])

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        evidence = services.evidence_add(
            application=application, user=request.user, stamp=stamp, upload=data["file"]
        )
        return _("「%(name)s」を添付しました。") % {"name": evidence.original_name}

    return _guarded(request, freeze, write, form=form)


@login_required
@require_GET
def evidence_download(request: AuthedRequest, pk: int, evidence_pk: int) -> FileResponse:
    """Send one document as a download, never shown inline."""
    evidence = read.evidence_get(user=request.user, pk=pk, evidence_pk=evidence_pk)
    services.freeze_access_record(
        freeze=evidence.application.freeze_case,
        user=request.user,
        view="freeze_evidence",
        path=request.path,
    )
    try:
        handle = path_of(evidence.storage_name).open("rb")
    except (OSError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def distribution_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Compute the distribution and submit it for a second supervisor's review."""
    freeze = _workable(request, pk)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        services.distribution_submit(freeze=freeze, user=request.user, stamp=stamp)
        return _("分配を計算し、審査を依頼しました。")

    return _guarded(request, freeze, write)


@login_required
@require_POST
def distribution_review(request: AuthedRequest, pk: int, decision_pk: int) -> HttpResponse:
    """Approve the distribution, or send it back (four eyes: not its preparer)."""
    freeze = _workable(request, pk)
    decision = freeze.distribution_decisions.filter(pk=decision_pk).first()
    if decision is None:
        raise Http404
    form = forms.DistributionReviewForm(request.POST)

    def write(data: dict[str, Any], stamp: EditStamp) -> str:
        if data["action"] == "approve":
            services.distribution_approve(decision=decision, user=request.user, stamp=stamp)
            return _("分配を承認しました。")
        services.distribution_return(
            decision=decision, user=request.user, stamp=stamp, comment=data["comment"]
        )
        return _("分配を差し戻しました。")

    return _guarded(request, freeze, write, form=form, bound={"review_form": form})


@login_required
@require_GET
def decision_table(request: AuthedRequest, pk: int, decision_pk: int) -> HttpResponse:
    """The printable decision table (決定表): each accepted claim and its payment."""
    freeze = read.freeze_case_get(user=request.user, pk=pk)
    decision = freeze.distribution_decisions.filter(pk=decision_pk).first()
    if decision is None:
        raise Http404
    services.freeze_access_record(
        freeze=freeze, user=request.user, view="freeze_table", path=request.path
    )
    return render(
        request,
        "compensation/freezes/table.html",
        {
            "freeze": freeze,
            "decision": decision,
            "rows": read.decision_table(decision),
            "reason": read.distribution_reason(decision),
            "claimed": sum(c["amount"] for c in decision.facts["claims"]),
            "paid": sum(p["amount"] for p in decision.result["payments"]),
            "printed_at": timezone.localtime(),
        },
    )
