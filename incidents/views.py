"""Views of the case desk: thin, reading through selectors and writing through services."""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm, BaseFormSet
from django.forms.utils import ErrorDict, ErrorList
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.http import (
    idle_exempt,
    idle_rescue,
    json_error,
    json_login_required,
    json_methods,
)
from incidents import forms, services
from incidents.choices import (
    MANUAL_DEADLINE_KINDS,
    OPEN_STATUSES,
    ActionStatus,
    CaseStatus,
    PoliceStatus,
    Role,
)
from incidents.edits import MISSING_TOKEN_MESSAGE, EditStamp, new_edit_key, posted_token
from incidents.intake import (
    STEP_SLUGS,
    can_edit_after_submission,
    correction_steps,
    next_step,
    previous_step,
    steps_for,
)
from incidents.links import case_links, skimming_window
from incidents.models import Case, Deadline, IntakeAutosave, ReportedItem, UnauthorizedTransaction
from incidents.querysets import ASSIGN, CHANGE, PICKUP, STOP, case_permits
from incidents.selectors import (
    case_applicable_checklist,
    case_checklist_labels,
    case_get_full,
    case_list_for_home,
    case_submission_problems,
    deadline_list_for_case,
    deadline_list_for_home,
    receipt_follow_ups,
    transaction_flags,
)
from incidents.selectors_audit import case_history
from incidents.selectors_queue import branch_staff_choices

REPORTER_FIELDS = ("channel", "reporter_relation", "reporter_name", "reporter_phone", "notified_at")
CUSTOMER_FIELDS = (
    "customer_number",
    "customer_type",
    "customer_name",
    "customer_name_kana",
    "customer_birth_date",
    "customer_phone",
)
POLICE_FIELDS = ("police_status", "police_station", "police_filed_on", "police_receipt_number")
INTAKE_ROLES = (Role.TELLER, Role.SUPERVISOR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (expired session, old tab): explain in Japanese; earlier steps are saved."""
    return render(request, "errors/csrf.html", status=403)


def _require_intake_role(user) -> None:
    if user.role not in INTAKE_ROLES or not user.branch_id:
        raise PermissionDenied


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page: the branch's cases for tellers and supervisors (after-hours cases
    awaiting pickup on top), the console for the monitoring center, the queue for compliance."""
    user = request.user
    if user.has_perm("incidents.take_after_hours_call"):
        return redirect("incidents:monitoring_console")
    if user.role == Role.COMPLIANCE:
        return redirect("incidents:queue")
    context = case_list_for_home(user=user)
    context["can_take_reports"] = user.role in INTAKE_ROLES and bool(user.branch_id)
    context["can_pickup"] = user.has_perm("incidents.pickup_case")
    context["now"] = timezone.now()
    context["owed_deadlines"] = deadline_list_for_home(user=user)
    return render(request, "incidents/home.html", context)


def _intake_rescue(request: HttpRequest, kwargs: dict) -> bool:
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
    services.intake_autosave_save(case=case, user=request.user, step=step, data=fields)
    return True


@idle_rescue(_intake_rescue)
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new report; the draft is created when the teller moves on."""
    _require_intake_role(request.user)
    restored = None
    if request.method == "POST" and "discard_autosave" in request.POST:
        services.intake_autosave_discard(case=None, user=request.user, step="reporter")
        return redirect("incidents:case_new")
    if request.method == "POST":
        form = forms.ReporterForm(request.POST)
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
            form = _quiet(forms.ReporterForm(data))
            with contextlib.suppress(ValueError):
                token = uuid.UUID(data.get("intake_token", ""))
        else:
            form = forms.ReporterForm(
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


def _editable_draft(request: HttpRequest, pk: int) -> Case:
    _require_intake_role(request.user)
    return case_get_full(user=request.user, pk=pk, action=CHANGE)


@idle_rescue(_intake_rescue)
@login_required
def intake_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
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
        services.intake_autosave_discard(case=case, user=request.user, step=step)
        return redirect("incidents:intake_step", pk=case.pk, step=step)
    handler = STEP_HANDLERS[step]
    restored = None
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
def case_correct(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Correct or complete a submitted case (a picked-up after-hours call has only what the phone
    call gave): the intake's forms on the case page, each save versioned and on the timeline."""
    case = _editable_draft(request, pk)
    if case.is_draft:
        return redirect("incidents:intake_step", pk=case.pk, step=section)
    sections = correction_steps(case)
    if section not in [s.slug for s in sections]:
        raise Http404
    if not (can_edit_after_submission(case) and _can_follow_up(request.user, case)):
        messages.info(request, _("この事故は現在の状態では訂正できません。"))
        return redirect(case)
    request.mamori_correcting = True
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


# Steps whose form on screen is kept before an idle logout (the review step has nothing to type).
AUTOSAVE_STEPS = ("reporter", "customer", "items", "stops", "transactions", "police", "checklist")
AUTOSAVE_MAX_VALUES = 100
AUTOSAVE_MAX_LENGTH = 10_000


def _autosaves(case: Case, step: str) -> bool:
    """Whether the step of this case is still being entered (a draft: a submitted case is
    corrected on the case page, not through the intake)."""
    return case.is_draft


def _as_querydict(data: dict) -> QueryDict:
    """Kept form data as the form would have received it."""
    query = QueryDict(mutable=True)
    for name, values in (data or {}).items():
        query.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    query._mutable = False
    return query


def _quiet(value):
    """A form (or formset, or list of them) bound to kept data, shown without its errors: the
    data was saved because it may not be complete yet; errors appear when the teller saves."""
    if isinstance(value, list | tuple):
        for item in value:
            _quiet(item)
    elif isinstance(value, BaseForm):
        value._errors = ErrorDict()
    elif isinstance(value, BaseFormSet):
        for form in value.forms:
            _quiet(form)
        value._errors = [ErrorDict() for _form in value.forms]
        value._non_form_errors = ErrorList()
    return value


def _encodable(text: str) -> bool:
    """JSON may carry lone surrogates ("\\ud800"), which no database text can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _posted_fields(request: HttpRequest) -> dict[str, list[str]]:
    """The raw fields of an autosave: JSON ``{"fields": {name: value or [values]}}`` from the
    page's script, or an ordinary form post. ValueError (with a Japanese message) if malformed."""
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ValueError(_("送信された内容（JSON）の形式が正しくありません。")) from error
        if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
            raise ValueError(_("送信された内容に入力項目（fields）がありません。"))
        raw = payload["fields"]
    else:
        raw = {name: request.POST.getlist(name) for name in request.POST}
    if len(raw) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:
        raise ValueError(_("入力項目が多すぎます。"))
    fields: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name in ("csrfmiddlewaretoken", "discard_autosave"):
            continue
        values = value if isinstance(value, list) else [value]
        if (
            not name
            or not _encodable(name)
            or len(name) > 100
            or not name.isprintable()
            or len(values) > AUTOSAVE_MAX_VALUES
            or not all(isinstance(v, str) for v in values)
        ):
            raise ValueError(_("入力項目の形式が正しくありません。"))
        if any(len(v) > AUTOSAVE_MAX_LENGTH or "\x00" in v or not _encodable(v) for v in values):
            raise ValueError(_("入力内容が長すぎるか、使えない文字が含まれています。"))
        fields[name] = values
    return fields


@idle_rescue(_intake_rescue)
@idle_exempt
@json_login_required
@json_methods("POST")
def intake_autosave(request: HttpRequest, pk: int | None = None, step: str = "reporter"):
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
    autosave = services.intake_autosave_save(case=case, user=request.user, step=step, data=fields)
    return JsonResponse({"ok": True, "saved_at": autosave.saved_at.isoformat()})


STALE_MESSAGE = gettext_lazy(
    "この届出は、画面を開いた後に他の職員が更新しました。最新の内容を表示しています。"
    "確認のうえ、必要ならもう一度保存してください。"
)


def _go_on(request: HttpRequest, case: Case, step: str) -> HttpResponse:
    services.intake_autosave_discard(case=case, user=request.user, step=step)
    if getattr(request, "mamori_correcting", False):
        # A correction of a submitted case, from the case page: back there once saved.
        if "add_row" in request.POST:
            return redirect(reverse("incidents:case_correct", args=[case.pk, step]) + "?add=1")
        messages.success(request, _("訂正を保存しました。"))
        return redirect(case)
    if "add_row" in request.POST:
        return redirect(reverse("incidents:intake_step", args=[case.pk, step]) + "?add=1")
    if "save_only" in request.POST:
        messages.success(request, _("保存しました。"))
        return redirect("incidents:intake_step", pk=case.pk, step=step)
    following = next_step(case, step)
    if following is None:
        messages.success(request, _("届出内容を保存しました。"))
        return redirect(case)
    return redirect("incidents:intake_step", pk=case.pk, step=following)


def _stale(request: HttpRequest, error: services.StaleCaseError, newer=()) -> dict:
    """Refuse a stale save: keep what this member of staff typed, show what the other one saved,
    and render the form again on the case's current version (saving again is a choice)."""
    messages.error(request, STALE_MESSAGE)
    return {"newer_values": list(newer), "version": error.current.version}


def _newer_fields(form, current: Case, names) -> list[tuple[str, Any]]:
    return [
        (form.fields[name].label, getattr(current, name)) for name in names if name in form.fields
    ]


def _guarded(request: HttpRequest, case: Case, step: str, write, newer) -> HttpResponse | dict:
    """Run a step's write with the form's stamp: done (or already done) goes on, stale is refused
    with the typed values kept and ``newer(current)`` shown."""
    try:
        write(EditStamp.from_request(request))
    except services.EditReplayed:
        return _go_on(request, case, step)
    except services.StaleCaseError as error:
        return _stale(request, error, newer(error.current))
    return _go_on(request, case, step)


def _simple_step(form_class, fields, slug):
    def handler(request, case, data):
        if data is not None:
            form = form_class(data)
            if request.method == "POST" and form.is_valid():
                outcome = _guarded(
                    request,
                    case,
                    slug,
                    lambda stamp: services.case_update(
                        case=case,
                        user=request.user,
                        step=slug,
                        fields={name: form.cleaned_data[name] for name in fields},
                        stamp=stamp,
                    ),
                    lambda current: _newer_fields(form, current, fields),
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                return {"form": form, **outcome}
        else:
            form = form_class(initial=forms.case_initial(case, fields))
        return {"form": form}

    return handler


def _rows_initial(objects, names) -> list[dict]:
    rows = []
    for obj in objects:
        row = {name: getattr(obj, name) for name in names}
        row["id"] = obj.pk
        rows.append(row)
    return rows


def _saved_items(current: Case) -> list[tuple[str, str]]:
    rows = ReportedItem.objects.filter(case=current)
    return [(_("保存済みの届出対象"), _("、").join(str(item) for item in rows) or "—")]


def _saved_transactions(current: Case) -> list[tuple[str, str]]:
    rows = UnauthorizedTransaction.objects.filter(case=current).order_by("occurred_at", "pk")
    return [(_("保存済みの被害取引"), _("、").join(str(tx) for tx in rows) or "—")]


def _items_step(request, case, data):
    notified_on = case.notified_on
    if data is not None:
        formset = forms.item_formset()(
            data, prefix="items", form_kwargs={"notified_on": notified_on}
        )
        if request.method == "POST" and formset.is_valid():
            rows = formset.rows()
            if not [row for row in rows if not row["DELETE"]] and "add_row" not in request.POST:
                formset._non_form_errors = formset.error_class(
                    [_("届出の対象（カード・通帳など）を1件以上入力してください。")]
                )
            else:
                outcome = _guarded(
                    request,
                    case,
                    "items",
                    lambda stamp: services.case_save_items(
                        case=case, user=request.user, rows=rows, stamp=stamp
                    ),
                    _saved_items,
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                return {"formset": formset, **outcome}
    else:
        initial = _rows_initial(case.items.all(), services.ITEM_FIELDS)
        for row in initial:
            row["occurred_unknown"] = row["occurred_on"] is None
        extra = 1 if (not initial or request.GET.get("add")) else 0
        formset = forms.item_formset(extra)(
            initial=initial, prefix="items", form_kwargs={"notified_on": notified_on}
        )
    return {"formset": formset}


def _stops_step(request, case, data):
    actions = list(case.actions.select_related("item", "performed_by"))
    pending = [a for a in actions if a.status != ActionStatus.DONE]
    if data is not None:
        stop_forms = [(a, forms.StopForm(data, prefix=f"stop-{a.pk}")) for a in pending]
        if request.method == "POST" and all(form.is_valid() for _a, form in stop_forms):
            decisions = []
            for action, form in stop_forms:
                decision = form.cleaned_data["decision"]
                text = (
                    form.cleaned_data["reference"]
                    if decision == ActionStatus.DONE
                    else form.cleaned_data["decline_reason"]
                )
                decisions.append((action.pk, decision, text.strip()))
            try:
                services.case_save_stops(
                    case=case,
                    user=request.user,
                    decisions=decisions,
                    stamp=EditStamp.from_request(request),
                )
            except services.StaleCaseError as error:
                context = _stale(request, error)
                done = [a for a in actions if a.status == ActionStatus.DONE]
                return {"stop_forms": stop_forms, "done_actions": done, **context}
            except services.EditReplayed:
                pass
            if "perform" in request.POST:
                return redirect("incidents:intake_step", pk=case.pk, step="stops")
            return _go_on(request, case, "stops")
    else:
        stop_forms = [
            (
                a,
                forms.StopForm(
                    prefix=f"stop-{a.pk}",
                    initial={
                        "decision": a.status if a.status != ActionStatus.PROPOSED else "",
                        "decline_reason": a.decline_reason,
                    },
                ),
            )
            for a in pending
        ]
    done = [a for a in actions if a.status == ActionStatus.DONE]
    return {"stop_forms": stop_forms, "done_actions": done}


TX_NAMES = ("item_id", *services.TRANSACTION_FIELDS)


def _transactions_step(request, case, data):
    items = [item for item in case.items.all() if item.rules_kind]
    kwargs = {"items": items}
    if data is not None:
        formset = forms.transaction_formset()(data, prefix="tx", form_kwargs=kwargs)
        if request.method == "POST" and formset.is_valid():
            outcome = _guarded(
                request,
                case,
                "transactions",
                lambda stamp: services.case_save_transactions(
                    case=case, user=request.user, rows=formset.rows(), stamp=stamp
                ),
                _saved_transactions,
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            flagged = [(tx, transaction_flags(case, tx)) for tx in case.transactions.all()]
            return {"formset": formset, "flagged": flagged, **outcome}
    else:
        initial = []
        for tx in case.transactions.all():
            row = {name: getattr(tx, name) for name in TX_NAMES}
            row["item"] = row.pop("item_id")
            row["occurred_at"] = timezone.localtime(row["occurred_at"])
            row["id"] = tx.pk
            initial.append(row)
        default_account = items[0] if items else None
        extra = 1 if (not initial or request.GET.get("add")) else 0
        formset = forms.transaction_formset(extra)(initial=initial, prefix="tx", form_kwargs=kwargs)
        if extra and default_account:
            # A new row starts on the reported item's account: the usual case.
            blank = formset.forms[-1]
            blank.initial.setdefault("item", default_account.pk)
            blank.initial.setdefault("account_branch", default_account.account_branch)
            blank.initial.setdefault("account_number", default_account.account_number)
    flagged = [(tx, transaction_flags(case, tx)) for tx in case.transactions.all()]
    return {"formset": formset, "flagged": flagged}


CHECKLIST_FIELDS = ("checklist", "online_banking_factors", "circumstances_note")


def _checklist_step(request, case, data):
    questions = case_applicable_checklist(case)
    if data is not None:
        form = forms.ChecklistForm(data, questions=questions)
        if request.method == "POST" and form.is_valid():
            cleaned = form.cleaned_data
            checklist = [
                *cleaned.get("card", []),
                *cleaned.get("passbook", []),
                *cleaned.get("common", []),
            ]
            outcome = _guarded(
                request,
                case,
                "checklist",
                lambda stamp: services.case_update(
                    case=case,
                    user=request.user,
                    step="checklist",
                    fields={
                        "checklist": checklist,
                        "online_banking_factors": list(cleaned.get("online_banking", [])),
                        "circumstances_note": cleaned["circumstances_note"],
                    },
                    stamp=stamp,
                ),
                lambda current: [
                    (_("状況（自由記述）"), current.circumstances_note),
                    (_("状況確認"), _("、").join(case_checklist_labels(current)) or "—"),
                ],
            )
            if isinstance(outcome, HttpResponse):
                return outcome
            return {"form": form, **outcome}
    else:
        chosen = set(case.checklist)
        form = forms.ChecklistForm(
            questions=questions,
            initial={
                "card": [c for c, _l in questions["card"] if c in chosen],
                "passbook": [c for c, _l in questions["passbook"] if c in chosen],
                "common": [c for c in ("comparable_gross", "comparable_negligence") if c in chosen],
                "online_banking": case.online_banking_factors,
                "circumstances_note": case.circumstances_note,
            },
        )
    return {"form": form}


def _review_step(request, case, data=None):
    return {
        "form": forms.SubmitForm(),
        "problems": case_submission_problems(case),
        "checklist_labels": case_checklist_labels(case),
        "flagged": [(tx, transaction_flags(case, tx)) for tx in case.transactions.all()],
    }


STEP_HANDLERS = {
    "reporter": _simple_step(forms.ReporterForm, REPORTER_FIELDS, "reporter"),
    "customer": _simple_step(forms.CustomerForm, CUSTOMER_FIELDS, "customer"),
    "items": _items_step,
    "stops": _stops_step,
    "transactions": _transactions_step,
    "police": _simple_step(forms.PoliceForm, POLICE_FIELDS, "police"),
    "checklist": _checklist_step,
    "review": _review_step,
}


@login_required
@require_POST
def case_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a draft; a second submission of the same draft lands on the same receipt."""
    case = _editable_draft(request, pk)
    if not case.is_draft:
        return redirect("incidents:case_receipt", pk=case.pk)
    form = forms.SubmitForm(request.POST)
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


@login_required
@require_POST
def case_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard a draft (kept as withdrawn, never deleted); refused once a stop was carried out."""
    case = _editable_draft(request, pk)
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
        return redirect("incidents:intake_step", pk=case.pk, step=case.intake_step or "customer")
    except services.DiscardRefusedError:
        messages.error(
            request,
            _(
                "実施済みの措置（停止）があるため、この届出は破棄できません。"
                "停止を残したまま届出を取り下げることはできません。役席にご相談ください。"
            ),
        )
        return redirect("incidents:intake_step", pk=case.pk, step="stops")
    messages.info(request, _("下書きを破棄しました。"))
    return redirect("incidents:home")


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything entered about a case, with its deadlines, timeline and change history; the
    look is logged."""
    case = case_get_full(user=request.user, pk=pk)
    services.case_access_record(case=case, user=request.user, view="case_detail", path=request.path)
    return render(request, "incidents/case_detail.html", _case_detail_context(request, case))


def _case_detail_context(request: HttpRequest, case: Case, **extra) -> dict:
    transactions = list(case.transactions.all())
    can_follow_up = _can_follow_up(request.user, case)
    context = {
        "links": case_links(case=case, user=request.user),
        "skimming_days": skimming_window().days,
        "can_record_recovery": _can_record_recovery(request.user, case),
        "recovery_version": case.version,
        "case": case,
        "flagged": [(tx, transaction_flags(case, tx)) for tx in transactions],
        "claimed_total": sum(tx.claimed for tx in transactions),
        "checklist_labels": case_checklist_labels(case),
        "events": case.events.select_related("actor"),
        # The customer's follow-ups are the receipt's; the page shows the deadlines behind them.
        "deadlines": deadline_list_for_case(case=case),
        "can_follow_up": can_follow_up,
        "can_edit_details": can_follow_up and can_edit_after_submission(case),
        "manual_deadline_kinds": MANUAL_DEADLINE_KINDS,
        "history": case_history(case=case),
        "attachments": list(
            case.attachments.select_related("uploaded_by", "withdrawal__withdrawn_by")
        ),
        **case_work_context(user=request.user, case=case),
    }
    from incidents.views_attachments import can_attach

    if can_attach(request.user, case):
        context["attachment_form"] = forms.AttachmentForm()
    if services.attachment_may_withdraw(user=request.user, case=case):
        context["withdraw_form"] = forms.AttachmentWithdrawForm()
    context["can_open_withdrawn"] = services.attachment_may_open_withdrawn(user=request.user)
    if can_follow_up and case.police_status != PoliceStatus.FILED:
        context["police_form"] = forms.PoliceRecordForm()
        context["police_version"] = case.version
    context.update(extra)
    return context


def _can_record_recovery(user, case: Case) -> bool:
    """The case's own branch staff record money that came back, once the case is submitted."""
    return (
        user.role in INTAKE_ROLES
        and user.branch_id == case.branch_id
        and case.status not in (CaseStatus.DRAFT, CaseStatus.WITHDRAWN)
        and case_permits(user, case, CHANGE)
    )


@login_required
@require_POST
def transaction_recovery(request: HttpRequest, pk: int, tx_pk: int) -> HttpResponse:
    """Record how much of one transaction came back (組戻し等による回収額)."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not _can_record_recovery(request.user, case):
        raise PermissionDenied
    tx = next((t for t in case.transactions.all() if t.pk == tx_pk), None)
    if tx is None:
        raise Http404
    form = forms.RecoveryForm(request.POST, transaction=tx)
    stamp = EditStamp.from_request(request)
    if form.is_valid():
        try:
            services.transaction_record_recovery(
                case=case,
                transaction_id=tx.pk,
                user=request.user,
                amount=form.cleaned_data["recovered_amount"],
                stamp=stamp,
            )
        except services.EditReplayed:
            pass
        except services.StaleCaseError as error:
            messages.error(
                request,
                _(
                    "この事故は、画面を開いた後に他の職員が更新しました。最新の内容を表示しています。"
                    "確認のうえ、必要ならもう一度保存してください。"
                ),
            )
            case = case_get_full(user=request.user, pk=pk)
            return render(
                request,
                "incidents/case_detail.html",
                _case_detail_context(
                    request,
                    case,
                    recovery_form=form,
                    recovery_tx=tx.pk,
                    recovery_version=error.current.version,
                ),
            )
        messages.success(
            request,
            _("回収額を記録しました（%(amount)s円）。")
            % {"amount": f"{form.cleaned_data['recovered_amount']:,}"},
        )
        return redirect(case.get_absolute_url() + "#transactions")
    return render(
        request,
        "incidents/case_detail.html",
        _case_detail_context(
            request,
            case,
            recovery_form=form,
            recovery_tx=tx.pk,
            recovery_version=stamp.version if stamp.version is not None else case.version,
        ),
    )


def _can_follow_up(user, case: Case) -> bool:
    """The case's own branch staff record what comes in after submission."""
    return (
        user.role in INTAKE_ROLES
        and user.branch_id == case.branch_id
        and case.status in OPEN_STATUSES
    )


@login_required
@require_POST
def case_record_police(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the police report filed after submission; it meets the police-report deadline."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not _can_follow_up(request.user, case):
        raise PermissionDenied
    if case.police_status == PoliceStatus.FILED:
        messages.info(request, _("警察への届出は記録済です。"))
        return redirect(case)
    form = forms.PoliceRecordForm(request.POST)
    stamp = EditStamp.from_request(request)
    if form.is_valid():
        try:
            services.case_update(
                case=case,
                user=request.user,
                step="police",
                fields={"police_status": PoliceStatus.FILED, **form.cleaned_data},
                stamp=stamp,
            )
        except services.EditReplayed:
            pass
        except services.StaleCaseError as error:
            stale = _stale(request, error, _newer_fields(form, error.current, tuple(form.fields)))
            case = case_get_full(user=request.user, pk=pk)
            return render(
                request,
                "incidents/case_detail.html",
                _case_detail_context(
                    request,
                    case,
                    police_form=form,
                    police_version=stale["version"],
                    newer_values=stale["newer_values"],
                ),
            )
        else:
            messages.success(request, _("警察への届出を記録しました。"))
        return redirect(case)
    return render(
        request,
        "incidents/case_detail.html",
        _case_detail_context(
            request,
            case,
            police_form=form,
            police_version=stamp.version if stamp.version is not None else case.version,
        ),
    )


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


@login_required
@require_POST
def deadline_meet_view(request: HttpRequest, pk: int, deadline_pk: int) -> HttpResponse:
    """Mark a deadline the branch closes by hand (the customer's documents) as done."""
    case = case_get_full(user=request.user, pk=pk, action=CHANGE)
    if not _can_follow_up(request.user, case):
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
        met = services.case_deadline_meet(
            case=case,
            user=request.user,
            deadline_id=deadline.pk,
            stamp=EditStamp.from_request(request),
        )
    except services.EditReplayed:
        met = True
    except services.StaleCaseError:
        messages.error(request, STALE_MESSAGE)
        return redirect(case)
    if met:
        messages.success(
            request,
            _("「%(kind)s」を完了にしました。") % {"kind": deadline.get_kind_display()},
        )
    return redirect(case)


@login_required
@require_GET
def case_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable receipt (受付票) handed to the customer; looking at it is logged as a look,
    printing it (the print button) as a print."""
    case = case_get_full(user=request.user, pk=pk)
    if case.is_draft:
        raise Http404
    services.case_access_record(case=case, user=request.user, view="receipt", path=request.path)
    return render(
        request,
        "incidents/receipt.html",
        {
            "case": case,
            "follow_ups": receipt_follow_ups(case),
            "done_actions": [a for a in case.actions.all() if a.status == ActionStatus.DONE],
            "declined_actions": [
                a for a in case.actions.all() if a.status == ActionStatus.DECLINED
            ],
            "printed_at": timezone.localtime(),
            "can_print": _can_print_receipt(request.user, case),
        },
    )


def _can_print_receipt(user, case: Case) -> bool:
    """The receipt is handed over at the counter by the case's own branch; compliance and the
    monitoring center read it without printing anything for a customer."""
    return user.role in INTAKE_ROLES and case_permits(user, case, CHANGE)


@login_required
@require_POST
def case_receipt_printed(request: HttpRequest, pk: int) -> HttpResponse:
    """The print button of the receipt: note the print on the timeline (once per press)."""
    case = case_get_full(user=request.user, pk=pk)
    if case.is_draft:
        raise Http404
    if not _can_print_receipt(request.user, case):
        raise PermissionDenied
    services.case_receipt_printed(
        case=case, user=request.user, key=EditStamp.from_request(request).key
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return JsonResponse({"ok": True, "next_key": str(new_edit_key())})
    messages.info(request, _("印刷を記録しました。ブラウザの印刷（Ctrl+P）で印刷してください。"))
    return redirect("incidents:case_receipt", pk=case.pk)
