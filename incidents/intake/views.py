"""The guided intake: the first step, each step of a draft, corrections, submit, discard."""

from __future__ import annotations

import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import (
    AuthedRequest,
    idle_exempt,
    idle_rescue,
    json_error,
    json_login_required,
    json_methods,
)
from incidents.access.predicates import can_correct, takes_reports
from incidents.cases import services
from incidents.cases.edits import MISSING_TOKEN_MESSAGE, STALE_MESSAGE, EditStamp, posted_token
from incidents.cases.selectors import (
    case_get_full,
)
from incidents.intake.autosave import intake_autosave_discard, intake_autosave_save
from incidents.intake.autosave_views import (
    AUTOSAVE_STEPS,
    _as_querydict,
    _autosaves,
    _posted_fields,
    _quiet,
)
from incidents.intake.forms import ReporterForm, SubmitForm
from incidents.intake.handlers import CORRECTING, STEP_HANDLERS, _review_step
from incidents.intake.steps import (
    STEP_SLUGS,
    correction_steps,
    next_step,
    previous_step,
    steps_for,
)
from incidents.models import Case, IntakeAutosave
from incidents.models.querysets import CHANGE


def _require_intake_role(user) -> None:
    if not takes_reports(user):
        raise PermissionDenied


def _intake_rescue(request: AuthedRequest, kwargs: dict) -> bool:
    """An intake POST (a step, or the autosave) arriving after the idle timeout: keep its data."""
    try:
        fields = _posted_fields(request)
    except ValueError:
        return False
    pk, step = kwargs.get("pk"), kwargs.get("step", "reporter")
    if step not in AUTOSAVE_STEPS:
        return False
    if pk is None:
        _require_intake_role(request.user)
        case = None
    else:
        case = _editable_draft(request, pk)
        if not _autosaves(case, step):
            return False
    intake_autosave_save(case=case, user=request.user, step=step, data=fields)
    return True


@idle_rescue(_intake_rescue)
@login_required
def case_new(request: AuthedRequest) -> HttpResponse:
    """Step 1 of a new report; the draft is created when the teller moves on."""
    _require_intake_role(request.user)
    restored = None
    if request.method == "POST" and "discard_autosave" in request.POST:
        intake_autosave_discard(case=None, user=request.user, step="reporter")
        return redirect("incidents:case_new")
    if request.method == "POST":
        form = ReporterForm(request.POST)
        token = posted_token(request)
        if token is None:
            # Without its token a resend could open a second draft: the form comes back.
            token = uuid.uuid4()
            form.is_valid()
            form.add_error(None, MISSING_TOKEN_MESSAGE)
        if form.is_valid():
            case, _created = services.case_start_draft(
                user=request.user, token=token, fields=form.cleaned_data
            )
            return redirect("incidents:intake_step", pk=case.pk, step=next_step(case, "reporter"))
    else:
        restored = IntakeAutosave.objects.filter(
            case__isnull=True, user=request.user, step="reporter"
        ).first()
        token = uuid.uuid4()
        if restored is not None:
            data = _as_querydict(restored.data)
            form = _quiet(ReporterForm(data))
            with contextlib.suppress(ValueError):
                token = uuid.UUID(data.get("intake_token", ""))
        else:
            form = ReporterForm(
                initial={
                    "channel": "counter",
                    "reporter_relation": "self",
                    "notified_at": timezone.localtime().replace(second=0, microsecond=0),
                }
            )
    return render(
        request,
        "incidents/intake/reporter.html",
        {
            "form": form,
            "intake_token": token,
            "case": None,
            "steps": steps_for(None),
            "step": "reporter",
            "restored": restored,
            "autosave_url": reverse("incidents:case_new_autosave"),
        },
    )


def _editable_draft(request: AuthedRequest, pk: int) -> Case:
    _require_intake_role(request.user)
    return case_get_full(user=request.user, pk=pk, action=CHANGE)


@idle_rescue(_intake_rescue)
@login_required
def intake_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """Show or save one step of a draft; each step is saved when the teller moves on. What was
    kept of the step before an idle logout is put back into the form, unsaved, to be checked."""
    if step not in STEP_SLUGS:
        raise Http404
    case = _editable_draft(request, pk)
    if not case.is_draft:
        # Submitted means frozen for the intake: corrections go through the case page's forms.
        messages.info(
            request,
            _(
                "この届出は受付済のため、受付の画面では変更できません。"
                "事故の詳細の「届出内容の追加・修正」から訂正してください。"
            ),
        )
        return redirect(case)
    if request.method == "POST" and "discard_autosave" in request.POST:
        intake_autosave_discard(case=case, user=request.user, step=step)
        return redirect("incidents:intake_step", pk=case.pk, step=step)
    handler = STEP_HANDLERS[step]
    restored = None
    data: QueryDict | None
    if request.method == "POST":
        data = request.POST
    elif step in AUTOSAVE_STEPS:
        restored = case.autosaves.filter(step=step).first()
        data = _as_querydict(restored.data) if restored is not None else None
    else:
        data = None
    context = handler(request, case, data)
    if isinstance(context, HttpResponse):
        return context
    if restored is not None:
        for value in context.values():
            _quiet(value)
    context.setdefault("version", case.version)
    context.update(
        {
            "case": case,
            "step": step,
            "steps": steps_for(case),
            "previous_step": previous_step(case, step),
            "restored": restored,
            "autosave_url": reverse("incidents:intake_autosave", args=[case.pk, step])
            if step in AUTOSAVE_STEPS
            else "",
        }
    )
    return render(request, f"incidents/intake/{step}.html", context)


@login_required
def case_correct(request: AuthedRequest, pk: int, section: str) -> HttpResponse:
    """Correct or complete a submitted case (a picked-up after-hours call has only what the phone
    call gave): the intake's forms on the case page, each save versioned and on the timeline."""
    case = _editable_draft(request, pk)
    if case.is_draft:
        return redirect("incidents:intake_step", pk=case.pk, step=section)
    sections = correction_steps(case)
    if section not in [s.slug for s in sections]:
        raise Http404
    if not can_correct(request.user, case):
        messages.info(request, _("この事故は現在の状態では訂正できません。"))
        return redirect(case)
    setattr(request, CORRECTING, True)
    context = STEP_HANDLERS[section](
        request, case, request.POST if request.method == "POST" else None
    )
    if isinstance(context, HttpResponse):
        return context
    context.setdefault("version", case.version)
    context.update(
        {
            "case": case,
            "step": section,
            "steps": sections,
            "previous_step": None,
            "restored": None,
            "autosave_url": "",
            "correcting": True,
        }
    )
    return render(request, f"incidents/intake/{section}.html", context)


@idle_rescue(_intake_rescue)
@idle_exempt
@json_login_required
@json_methods("POST")
def intake_autosave(request: AuthedRequest, pk: int | None = None, step: str = "reporter"):
    """Keep the intake form on screen as typed, before an idle logout (the page's script calls
    it); it does not count as using the terminal."""
    if step not in AUTOSAVE_STEPS:
        raise Http404
    if pk is None:
        _require_intake_role(request.user)
        case = None
    else:
        case = _editable_draft(request, pk)
        if not _autosaves(case, step):
            return json_error(_("この届出は受付済です。"), 409, code="not_draft")
    try:
        fields = _posted_fields(request)
    except ValueError as error:
        return json_error(str(error), 400, code="invalid")
    autosave = intake_autosave_save(case=case, user=request.user, step=step, data=fields)
    return JsonResponse({"ok": True, "saved_at": autosave.saved_at.isoformat()})


@login_required
@require_POST
def case_submit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Submit a draft; a second submission of the same draft lands on the same receipt."""
    case = _editable_draft(request, pk)
    if not case.is_draft:
        return redirect("incidents:case_receipt", pk=case.pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        context = _review_step(request, case)
        context.update(
            {
                "form": form,
                "case": case,
                "step": "review",
                "steps": steps_for(case),
                "previous_step": previous_step(case, "review"),
            }
        )
        return render(request, "incidents/intake/review.html", context, status=200)
    try:
        services.case_submit(
            case_id=case.pk, user=request.user, stamp=EditStamp.from_request(request)
        )
    except services.EditReplayed:
        return redirect("incidents:case_receipt", pk=case.pk)
    except services.StaleCaseError as error:
        if not error.current.is_draft:
            return redirect("incidents:case_receipt", pk=case.pk)
        messages.error(request, STALE_MESSAGE)
        return redirect("incidents:intake_step", pk=case.pk, step="review")
    except services.SubmissionError as error:
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("incidents:intake_step", pk=case.pk, step="review")
    messages.success(request, _("受け付けました。受付票をお客さまにお渡しください。"))
    return redirect("incidents:case_receipt", pk=case.pk)
