"""What each intake step shows and saves, through the guarded path."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthedRequest
from incidents.cases import services
from incidents.cases.edits import EditStamp, newer_field_values, stale_refusal
from incidents.cases.flags import case_flagged
from incidents.cases.selectors import (
    case_applicable_checklist,
    case_checklist_labels,
    case_submission_problems,
)
from incidents.intake.autosave import intake_autosave_discard
from incidents.intake.forms import (
    ChecklistForm,
    CustomerForm,
    FraudForm,
    PoliceForm,
    ReporterForm,
    StopForm,
    SubmitForm,
    case_initial,
    item_formset,
    transaction_formset,
)
from incidents.intake.lookup import with_lookup
from incidents.intake.steps import (
    next_step,
)
from incidents.models import Case, ProtectiveAction, ReportedItem, UnauthorizedTransaction
from incidents.models.choices import (
    BY_FREEZE_REQUEST,
    STOPPABLE,
    ActionStatus,
)

# Set on the request by the case page's correction view: its saves go back to the case page.
CORRECTING = "mamori_correcting"


def _go_on(request: AuthedRequest, case: Case, step: str) -> HttpResponse:
    intake_autosave_discard(case=case, user=request.user, step=step)
    if getattr(request, CORRECTING, False):
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


def _guarded(request: AuthedRequest, case: Case, step: str, write, newer) -> HttpResponse | dict:
    """Run a step's write with the form's stamp: done (or already done) goes on, stale is refused
    with the typed values kept and ``newer(current)`` shown."""
    try:
        write(EditStamp.from_request(request))
    except services.EditReplayed:
        return _go_on(request, case, step)
    except services.StaleCaseError as error:
        return stale_refusal(request, error, newer(error.current))
    return _go_on(request, case, step)


def _simple_step(form_class, slug, save=services.case_update):
    fields = tuple(form_class.base_fields)  # the step saves exactly the fields its form has

    def handler(request, case, data):
        if data is not None:
            form = form_class(data)
            if request.method == "POST" and form.is_valid():
                outcome = _guarded(
                    request,
                    case,
                    slug,
                    lambda stamp: save(
                        case=case,
                        user=request.user,
                        step=slug,
                        fields={name: form.cleaned_data[name] for name in fields},
                        stamp=stamp,
                    ),
                    lambda current: newer_field_values(form, current, fields),
                )
                if isinstance(outcome, HttpResponse):
                    return outcome
                return {"form": form, **outcome}
        else:
            form = form_class(initial=case_initial(case, fields))
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
        formset = item_formset()(data, prefix="items", form_kwargs={"notified_on": notified_on})
        if request.method == "POST" and formset.is_valid():
            rows = formset.rows()
            if not [row for row in rows if not row["DELETE"]] and "add_row" not in request.POST:
                formset._non_form_errors = formset.error_class(  # type: ignore[attr-defined]
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
        formset = item_formset(extra)(
            initial=initial, prefix="items", form_kwargs={"notified_on": notified_on}
        )
    return {"formset": formset}


def _stops_step(request, case, data):
    actions = list(case.actions.select_related("item", "performed_by"))
    pending = [a for a in actions if a.status != ActionStatus.DONE]
    if data is not None:
        stop_forms = [(a, StopForm(data, prefix=f"stop-{a.pk}", kind=a.kind)) for a in pending]
        if request.method == "POST" and all(form.is_valid() for _a, form in stop_forms):
            decisions = []
            perform_all = "perform_all" in data
            for action, form in stop_forms:
                decision = form.cleaned_data["decision"]
                if perform_all and not decision and _performable(action):
                    # 「提案された措置をすべて実施」: every stop not yet decided, in one write,
                    # each with the reference typed for it or the one the core system returns.
                    decision = ActionStatus.DONE
                text = (
                    form.cleaned_data["reference"]
                    if decision == ActionStatus.DONE
                    else form.cleaned_data["decline_reason"]
                )
                decisions.append((action.pk, decision, text.strip()))
            done = []
            try:
                done = services.case_save_stops(
                    case=case,
                    user=request.user,
                    decisions=decisions,
                    stamp=EditStamp.from_request(request),
                )
            except services.StaleCaseError as error:
                context = stale_refusal(request, error)
                done = [a for a in actions if a.status == ActionStatus.DONE]
                return {
                    "stop_forms": stop_forms,
                    "done_actions": done,
                    "has_proposed": any(_performable(a) for a in pending),
                    **context,
                }
            except services.EditReplayed:
                pass
            if perform_all:
                # Every stop done in one action: on to the next step, the references said here
                # (and on the receipt); one page load fewer at the counter.
                references = [a.reference for a in done if a.status == ActionStatus.DONE]
                if references:
                    messages.success(
                        request,
                        _("措置をすべて実施しました（受付番号：%(references)s）。")
                        % {"references": _("、").join(references)},
                    )
                requested = [a for a in done if a.status == ActionStatus.REQUESTED]
                if requested:
                    messages.info(
                        request,
                        _("%(count)s件の措置を勘定系へ依頼しました。勘定系の確認を待っています。")
                        % {"count": len(requested)},
                    )
                return _go_on(request, case, "stops")
            if "perform" in request.POST or perform_all:
                return redirect("incidents:intake_step", pk=case.pk, step="stops")
            return _go_on(request, case, "stops")
    else:
        stop_forms = [
            (
                a,
                StopForm(
                    prefix=f"stop-{a.pk}",
                    kind=a.kind,
                    initial={
                        "decision": a.status if a.status != ActionStatus.PROPOSED else "",
                        "decline_reason": a.decline_reason,
                    },
                ),
            )
            for a in pending
        ]
    done = [a for a in actions if a.status == ActionStatus.DONE]
    has_proposed = any(_performable(a) for a in pending)
    return {"stop_forms": stop_forms, "done_actions": done, "has_proposed": has_proposed}


def _performable(action: ProtectiveAction) -> bool:
    """Whether 「提案された措置をすべて実施」 carries the stop out (a freeze of the receiving
    account is recorded with the request to that bank instead)."""
    return action.status in STOPPABLE and action.kind not in BY_FREEZE_REQUEST


TX_NAMES = ("item_id", *services.TRANSACTION_FIELDS)


def _transactions_step(request, case, data):
    items = [item for item in case.items.all() if item.rules_kind]
    # What came back on a row (recorded on the case page) stays a transfer's: a correction that
    # turns that row into a withdrawal is refused by the same rule.
    recovered = {
        tx.pk: tx.recovered_amount for tx in case.transactions.all() if tx.recovered_amount
    }
    kwargs = {"items": items, "recovered": recovered}
    # A new row starts on the first reported item's account: the usual case.
    start = (
        {
            "item": items[0].pk,
            "account_branch": items[0].account_branch,
            "account_number": items[0].account_number,
        }
        if items
        else {}
    )
    if data is not None:
        formset = transaction_formset()(data, prefix="tx", form_kwargs=kwargs)
        formset.empty_initial = start  # rows added on the page
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
            flagged = case_flagged(case)
            return {"formset": formset, "flagged": flagged, **outcome}
    else:
        initial = []
        for tx in case.transactions.all():
            row = {name: getattr(tx, name) for name in TX_NAMES}
            row["item"] = row.pop("item_id")
            row["occurred_at"] = timezone.localtime(row["occurred_at"])
            row["id"] = tx.pk
            initial.append(row)
        extra = 1 if (not initial or request.GET.get("add")) else 0
        formset = transaction_formset(extra)(initial=initial, prefix="tx", form_kwargs=kwargs)
        formset.empty_initial = start  # rows added on the page
        if extra:
            for name, value in start.items():
                formset.forms[-1].initial.setdefault(name, value)
    flagged = case_flagged(case)
    return {"formset": formset, "flagged": flagged}


CHECKLIST_FIELDS = ("checklist", "online_banking_factors", "circumstances_note")


def _checklist_step(request, case, data):
    questions = case_applicable_checklist(case)
    if data is not None:
        form = ChecklistForm(data, questions=questions)
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
        form = ChecklistForm(
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
        "form": SubmitForm(),
        "problems": case_submission_problems(case),
        "checklist_labels": case_checklist_labels(case),
        "flagged": case_flagged(case),
    }


STEP_HANDLERS = {
    "reporter": _simple_step(ReporterForm, "reporter"),
    "customer": with_lookup(_simple_step(CustomerForm, "customer", services.case_save_customer)),
    "items": _items_step,
    "fraud": _simple_step(FraudForm, "fraud", services.case_save_fraud),
    "stops": _stops_step,
    "transactions": _transactions_step,
    "police": _simple_step(PoliceForm, "police"),
    "checklist": _checklist_step,
    "review": _review_step,
}
