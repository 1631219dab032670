"""The supervisor's queue, assignment and the branch's pickup of after-hours cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedRequest, safe_next
from incidents.access.staff import branch_staff, branch_staff_choices
from incidents.cases import services
from incidents.cases.edits import EditStamp
from incidents.desk.forms import (
    AssignForm,
    BranchFilterForm,
    BulkAssignForm,
    PickupForm,
    QueueFilterForm,
)
from incidents.desk.queue_selectors import QueueFilters, case_queue, queue_branches
from incidents.models import Case
from incidents.models.querysets import ASSIGN, PICKUP, spans_branches


def _back(request: HttpRequest, default) -> HttpResponse:
    """Return to the page the form was on (the queue with its filters), if it is ours."""
    return redirect(safe_next(request.POST.get("next"), default))


def _staff_for_filters(request: AuthedRequest, branches) -> list[tuple[int, str]]:
    user = request.user
    if not spans_branches(user):
        return branch_staff_choices(branch_id=user.branch_id)
    branch = BranchFilterForm(request.GET, branches=branches).branch_id()
    return branch_staff_choices(branch_id=branch) if branch else []


@login_required
@permission_required("incidents.view_queue", raise_exception=True)
@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    """The case queue: filters in the URL, search, sort, pages, and bulk assignment."""
    user = request.user
    branches = queue_branches(user=user)
    staff = _staff_for_filters(request, branches)
    form = QueueFilterForm(request.GET or None, branches=branches, staff=staff)
    filters = QueueFilters(**form.filters()) if form.is_bound else QueueFilters()
    page = case_queue(user=user, filters=filters)
    can_assign = user.has_perm("incidents.assign_case") and not spans_branches(user)
    return render(
        request,
        "incidents/queue.html",
        {
            "form": form,
            "ignored": [str(form[name].label) for name in form.errors if name in form.fields],
            "page": page,
            "can_assign": can_assign,
            "staff": staff if can_assign else [],
            "spans_branches": spans_branches(user),
        },
    )


@login_required
@permission_required("incidents.assign_case", raise_exception=True)
@require_POST
def queue_assign(request: AuthedRequest) -> HttpResponse:
    """Assign the ticked cases to one member of staff; a case changed meanwhile is left alone."""
    user = request.user
    form = BulkAssignForm(request.POST, staff=branch_staff(branch_id=user.branch_id))
    requested = form.requested_ids()
    cases = {case.pk: case for case in Case.objects.restrict(user, ASSIGN).filter(pk__in=requested)}
    if len(cases) != len(requested):
        raise Http404  # a case outside the user's scope: as if it did not exist
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, "incidents:queue")
    pairs = form.cleaned_data["cases"]
    assignee = form.cleaned_data["assignee"]
    stamp = EditStamp.from_request(request)
    assigned, refused = services.case_assign_many(
        cases=[(cases[pk], version) for pk, version in pairs],
        user=user,
        assignee=assignee,
        key=stamp.key,
        digest=stamp.digest,
    )
    if assigned:
        messages.success(
            request,
            _("%(count)s件の担当者を「%(name)s」にしました。")
            % {
                "count": len(assigned),
                "name": assignee.display_name if assignee else _("未割当"),
            },
        )
    if refused:
        messages.error(
            request,
            _(
                "次の事故は、一覧を表示した後に他の職員が更新したため変更しませんでした。"
                "最新の内容を確認してください：%(numbers)s"
            )
            % {"numbers": _("、").join(str(case) for case in refused)},
        )
    return _back(request, "incidents:queue")


def _stale_message(request: HttpRequest, error: services.StaleCaseError) -> None:
    current = error.current
    messages.error(
        request,
        _(
            "この事故は、画面を開いた後に他の職員が更新しました。最新の内容を表示しています"
            "（現在の担当者：%(assignee)s、状態：%(status)s）。確認のうえ、もう一度操作してください。"
        )
        % {
            "assignee": current.assigned_to.display_name if current.assigned_to else _("未割当"),
            "status": current.get_status_display(),
        },
    )


@login_required
@require_POST
def case_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give one case to a member of its branch (or nobody)."""
    case = get_object_or_404(Case.objects.restrict(request.user, ASSIGN), pk=pk)
    form = AssignForm(request.POST, staff=branch_staff(branch_id=case.branch_id))
    if not form.is_valid():
        messages.error(request, _("担当者を選び直してください。"))
        return _back(request, case)
    try:
        services.case_assign(
            case=case,
            user=request.user,
            assignee=form.cleaned_data["assignee"],
            stamp=EditStamp.from_request(request),
        )
    except services.StaleCaseError as error:
        _stale_message(request, error)
    except services.EditReplayed:
        messages.success(request, _("担当者を変更しました。"))
    else:
        messages.success(request, _("担当者を変更しました。"))
    return _back(request, case)


@login_required
@require_POST
def case_claim(request: AuthedRequest, pk: int) -> HttpResponse:
    """Take a case as one's own."""
    case = get_object_or_404(Case.objects.restrict(request.user, ASSIGN), pk=pk)
    try:
        services.case_assign(
            case=case,
            user=request.user,
            assignee=request.user,
            stamp=EditStamp.from_request(request),
        )
    except services.StaleCaseError as error:
        _stale_message(request, error)
    except services.AssignmentError:
        messages.error(request, _("この事故の担当にはなれません。"))
    except services.EditReplayed:
        messages.success(request, _("担当になりました。"))
    else:
        messages.success(request, _("担当になりました。"))
    return _back(request, case)


@login_required
@require_POST
def case_pickup(request: AuthedRequest, pk: int) -> HttpResponse:
    """The branch takes over an after-hours preliminary case: it becomes reported and assigned."""
    user = request.user
    case = get_object_or_404(Case.objects.restrict(user, PICKUP), pk=pk)
    staff = branch_staff(branch_id=case.branch_id)
    form = PickupForm(request.POST, staff=staff)
    if not form.is_valid():
        messages.error(request, _("引継ぎできませんでした。画面を更新してやり直してください。"))
        return _back(request, case)
    assignee = form.cleaned_data["assignee"] or user
    if assignee != user and not user.has_perm("incidents.assign_case"):
        assignee = user  # a teller picks up for themselves; supervisors may hand it to someone
    try:
        services.case_pickup(
            case=case, user=user, assignee=assignee, stamp=EditStamp.from_request(request)
        )
    except services.EditReplayed:
        pass
    except services.StaleCaseError as error:
        _stale_message(request, error)
    except services.TransitionError:
        messages.error(request, _("この事故は既に引き継がれています。"))
    except services.AssignmentError:
        messages.error(request, _("この職員には引き継げません。"))
    else:
        messages.success(
            request,
            _("時間外受付を引き継ぎ、受付済にしました（担当：%(name)s）。")
            % {"name": assignee.display_name},
        )
    return redirect(case)
