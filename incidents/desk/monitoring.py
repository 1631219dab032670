"""The monitoring center's console: after-hours calls, emergency stops, the handoff list."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.cases import services
from incidents.cases.edits import MISSING_TOKEN_MESSAGE, EditStamp, posted_token
from incidents.desk.forms import (
    AddItemForm,
    CallForm,
    CallItemFormSet,
    ConsoleSearchForm,
    ManualStopForm,
    PerformForm,
)
from incidents.desk.queue_selectors import QueueFilters, case_queue, handoff_list
from incidents.models import Case, ProtectiveAction
from incidents.models.choices import BY_FREEZE_REQUEST, EMERGENCY_STOPS, STOPPABLE, ActionStatus
from incidents.models.querysets import STOP

CALL_FIELDS = (
    "reporter_relation",
    "reporter_name",
    "reporter_phone",
    "customer_number",
    "customer_type",
    "customer_name",
    "customer_name_kana",
    "customer_birth_date",
    "customer_phone",
    "circumstances_note",
)


@login_required
@permission_required("incidents.take_after_hours_call", raise_exception=True)
@require_GET
def console(request: AuthedRequest) -> HttpResponse:
    """The console: take a new call, find an existing case to stop, the handoff list."""
    search = ConsoleSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    found = None
    if query:
        found = case_queue(user=request.user, filters=QueueFilters(status="all", q=query)).rows[:20]
    return render(
        request,
        "incidents/monitoring/console.html",
        {
            "query": query,
            "search": search,
            "found": found,
            "handoff": handoff_list(user=request.user),
        },
    )


@login_required
@permission_required("incidents.take_after_hours_call", raise_exception=True)
def call_new(request: AuthedRequest) -> HttpResponse:
    """One page for a phone call: the customer, the items with their accounts, the stops."""
    if request.method == "POST":
        form = CallForm(request.POST)
        items = CallItemFormSet(request.POST, prefix="items")
        token = posted_token(request)
        if token is None:
            # Without its token a resend could open a second case: the form comes back.
            token = uuid.uuid4()
            form.is_valid()
            form.add_error(None, MISSING_TOKEN_MESSAGE)
        if form.is_valid() and items.is_valid():
            try:
                case, _created = services.case_open_preliminary(
                    user=request.user,
                    token=token,
                    fields={name: form.cleaned_data[name] for name in CALL_FIELDS},
                    items=items.rows(),
                    stop=form.cleaned_data["stop_now"],
                )
            except services.BranchNotFoundError:
                messages.error(request, _("口座の店番に該当する支店が見つかりません。"))
            else:
                done = case.actions.filter(status=ActionStatus.DONE).select_related("item")
                messages.success(
                    request,
                    _("受付番号 %(number)s で仮受付しました。%(branch)sへ引き継ぎます。")
                    % {"number": case.number, "branch": case.branch.name},
                )
                for action in done:
                    messages.info(
                        request,
                        _("%(action)s：受付番号 %(reference)s")
                        % {"action": action.get_kind_display(), "reference": action.reference},
                    )
                return redirect("incidents:case_stops", pk=case.pk)
    else:
        token = uuid.uuid4()
        form = CallForm()
        items = CallItemFormSet(prefix="items")
    return render(
        request,
        "incidents/monitoring/call.html",
        {"form": form, "items": items, "intake_token": token},
    )


@login_required
def case_stops(request: AuthedRequest, pk: int) -> HttpResponse:
    """Emergency stops on a case: carry out pending ones, or add a further item and stop it."""
    case = get_object_or_404(
        Case.objects.restrict(request.user, STOP).select_related("branch"), pk=pk
    )
    add_form = AddItemForm(prefix="add")
    if request.method == "POST":
        response = _stops_post(request, case)
        if response is not None:
            return response
        add_form = AddItemForm(request.POST, prefix="add")
    services.case_access_record(case=case, user=request.user, view="case_stops", path=request.path)
    actions = list(case.actions.select_related("item", "performed_by"))
    return render(
        request,
        "incidents/case_stops.html",
        {
            "case": case,
            "actions": actions,
            "pending_emergency": [
                a for a in actions if a.kind in EMERGENCY_STOPS and a.status in STOPPABLE
            ],
            # A stop the core refused or has not confirmed may be recorded from the core's
            # terminal, with the reference it printed.
            "manual": [a for a in actions if _manual_may_record(a)],
            "add_form": add_form,
        },
    )


def _say_stop(request: AuthedRequest, action: ProtectiveAction) -> None:
    """What became of one stop: done with its reference, sent to the core, or refused."""
    label = action.get_kind_display()
    if action.status == ActionStatus.DONE:
        messages.success(
            request,
            _("%(action)s を実施しました（受付番号 %(reference)s）。")
            % {"action": label, "reference": action.reference},
        )
    elif action.status == ActionStatus.REQUESTED:
        messages.info(
            request,
            _("%(action)s を勘定系へ依頼しました。勘定系の確認を待っています。")
            % {"action": label},
        )
    elif action.status == ActionStatus.FAILED:
        messages.error(
            request,
            _("%(action)s は勘定系で停止できませんでした：%(reason)s")
            % {"action": label, "reason": action.failure_reason},
        )


def _manual_stop(request: AuthedRequest, case: Case, stamp: EditStamp) -> HttpResponse | None:
    """Record a stop made at the core's terminal, with the reference it printed."""
    form = ManualStopForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return None
    action = ProtectiveAction.objects.filter(case=case, pk=form.cleaned_data["manual"]).first()
    if action is None or not _manual_may_record(action):
        messages.error(request, _("記録する措置が見つかりません。画面を更新してください。"))
        return None
    services.action_perform(
        action=action, user=request.user, reference=form.cleaned_data["reference"], stamp=stamp
    )
    action.refresh_from_db()
    _say_stop(request, action)
    return None


def _manual_may_record(action: ProtectiveAction) -> bool:
    """A stop the core refused or has not confirmed (never the freeze of a receiving account:
    the request to that bank records it)."""
    return (
        action.status in (ActionStatus.FAILED, ActionStatus.REQUESTED)
        and action.kind not in BY_FREEZE_REQUEST
    )


STALE_STOPS = gettext_lazy(
    "この事故は、画面を開いた後に他の職員が更新しました。最新の措置を表示しています。"
    "まだ必要なら、もう一度実施してください。"
)


def _stops_post(request: AuthedRequest, case: Case) -> HttpResponse | None:
    """Carry out one stop, every pending emergency stop, or add an item and stop it; each one
    guarded write. None when the added item's form is invalid (the page shows its errors)."""
    stamp = EditStamp.from_request(request)
    back = redirect("incidents:case_stops", pk=case.pk)
    try:
        if "perform" in request.POST:
            perform = PerformForm(request.POST)
            if not perform.is_valid():
                for error in perform.errors["perform"]:
                    messages.error(request, str(error))
                return back
            action = ProtectiveAction.objects.filter(
                case=case, pk=perform.cleaned_data["perform"]
            ).first()
            if action is None:
                messages.error(request, _("実施する措置が見つかりません。画面を更新してください。"))
                return back
            done = services.emergency_stops_perform(
                case=case, user=request.user, stamp=stamp, action_ids=[action.pk]
            )
            action.refresh_from_db()
            _say_stop(request, action)
            return back
        if "manual" in request.POST:
            return _manual_stop(request, case, stamp) or back
        if "perform_all" in request.POST:
            done = services.emergency_stops_perform(case=case, user=request.user, stamp=stamp)
            made = [a for a in done if a.status == ActionStatus.DONE]
            if made:
                messages.success(
                    request, _("%(count)s件の緊急停止を実施しました。") % {"count": len(made)}
                )
            if len(made) < len(done):
                messages.info(
                    request,
                    _("%(count)s件の措置を勘定系へ依頼しました。勘定系の確認を待っています。")
                    % {"count": len(done) - len(made)},
                )
            return back
        if "add_item" in request.POST:
            add_form = AddItemForm(request.POST, prefix="add")
            if not add_form.is_valid():
                return None
            item, done = services.case_add_item(
                case=case, user=request.user, fields=add_form.cleaned_data, stamp=stamp, stop=True
            )
            messages.success(
                request,
                _("「%(item)s」を追加し、%(count)s件の緊急停止を実施しました。")
                % {"item": item, "count": len(done)},
            )
            return back
    except services.EditReplayed:
        return back
    except services.StaleCaseError:
        messages.error(request, STALE_STOPS)
        return back
    return back
