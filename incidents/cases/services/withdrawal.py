"""Withdrawing a report whose stops are in force: the teller asks, a supervisor confirms.

A stop in force must never be orphaned (docs/domain.md §3): a draft with a stop carried out is
not discarded; its teller requests the withdrawal with a reason and the stops to lift, and a
supervisor of the branch other than the requester confirms it (four eyes), which lifts the stops
and withdraws the report in one guarded write, or rejects it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.access.predicates import is_branch_supervisor_of
from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import Case, IntakeAutosave, ProtectiveAction, User, WithdrawalRequest
from incidents.models.choices import ActionStatus, CaseStatus, EventKind, Role, WithdrawalState
from notifications.choices import NotificationKind
from notifications.services import notification_create


class WithdrawalError(Exception):
    """The withdrawal cannot be requested or decided as asked; the message says why (Japanese)."""


# A stop sent to the core and not yet answered may still come into force: a draft withdrawn
# meanwhile would leave it orphaned, and it cannot be listed to lift before it stands.
STOPS_AWAITED_MESSAGE = gettext_lazy(
    "勘定系の確認を待っている措置（停止）があります。確認されるまで、この届出は破棄も取下げも"
    "できません。確認されたら、解除する措置と理由を入力して取下げを申請してください。"
)


def stops_awaited(case: Case) -> bool:
    """Whether a stop of the case was sent to the core and is neither confirmed nor refused."""
    return ProtectiveAction.objects.filter(case=case, status=ActionStatus.REQUESTED).exists()


def _stops_in_force(case: Case) -> list[ProtectiveAction]:
    return list(
        ProtectiveAction.objects.filter(case=case, status=ActionStatus.DONE).select_related("item")
    )


def _stop_label(action: ProtectiveAction) -> str:
    return f"{in_bank_language(action.get_kind_display)}（{action.reference}）"


def withdrawal_request_create(
    *,
    case: Case,
    user: User,
    reason: str,
    stop_ids: Iterable[int],
    stamp: EditStamp | None = None,
) -> WithdrawalRequest:
    """Ask for a draft with stops in force to be withdrawn, naming every stop to lift."""
    with case_edit(case=case, user=user, stamp=stamp, action="withdrawal_request") as current:
        if not current.is_draft:
            raise WithdrawalError(_("受付済の届出は、この画面では取り下げられません。"))
        if WithdrawalRequest.objects.filter(case=current, state=WithdrawalState.PENDING).exists():
            raise WithdrawalError(_("この届出の取下げはすでに申請され、役席の承認待ちです。"))
        if stops_awaited(current):
            raise WithdrawalError(str(STOPS_AWAITED_MESSAGE))
        in_force = _stops_in_force(current)
        if not in_force:
            raise WithdrawalError(_("実施済みの措置がありません。下書きはそのまま破棄できます。"))
        # Every stop in force is lifted with the report: one left out would stay orphaned.
        if {action.pk for action in in_force} != set(stop_ids):
            raise WithdrawalError(
                _(
                    "実施済みの措置はすべて解除の対象にしてください。"
                    "届出のない停止が残らないようにするためです。"
                )
            )
        withdrawal = WithdrawalRequest.objects.create(
            case=current, reason=reason.strip(), requested_by=user
        )
        withdrawal.stops.set(in_force)
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.WITHDRAWAL_REQUESTED,
            message=f"取下げを申請しました：{reason.strip()}（解除する措置："
            + "、".join(_stop_label(action) for action in in_force)
            + "）",
            data={"withdrawal": withdrawal.pk, "stops": [action.pk for action in in_force]},
        )
        _notify_supervisors(withdrawal=withdrawal, case=current)
    return withdrawal


def _notify_supervisors(*, withdrawal: WithdrawalRequest, case: Case) -> None:
    """Tell the branch's other supervisors that a withdrawal awaits their confirmation."""
    supervisors = User.objects.filter(
        branch_id=case.branch_id, role=Role.SUPERVISOR, is_active=True
    ).exclude(pk=withdrawal.requested_by_id)
    url = reverse("incidents:case_withdrawal", args=[case.pk])
    for supervisor in supervisors.order_by("pk"):
        with translation.override(supervisor.language):
            notification_create(
                recipient=supervisor,
                kind=NotificationKind.INFO,
                title=_("取下げの承認依頼：下書き #%(pk)s %(name)s")
                % {"pk": case.pk, "name": case.customer_name},
                body=_(
                    "%(who)s さんが、実施済みの措置を解除して届出を取り下げる承認を依頼しました。"
                )
                % {"who": withdrawal.requested_by.display_name},
                url=url,
                link_label=_("取下げ申請"),
                dedupe_key=f"withdrawal:{withdrawal.pk}:{supervisor.pk}",
            )


def _pending(case: Case, withdrawal_id: int, user: User) -> WithdrawalRequest:
    withdrawal = (
        WithdrawalRequest.objects.select_for_update().filter(pk=withdrawal_id, case=case).first()
    )
    if withdrawal is None or withdrawal.state != WithdrawalState.PENDING:
        raise WithdrawalError(_("この取下げ申請はすでに処理されています。"))
    if not is_branch_supervisor_of(user, case):
        raise WithdrawalError(_("取下げの承認は、この店の役席が行います。"))
    if withdrawal.requested_by_id == user.pk:
        raise WithdrawalError(_("申請した本人は承認できません。別の役席が承認してください。"))
    return withdrawal


def withdrawal_confirm(
    *, withdrawal: WithdrawalRequest, user: User, stamp: EditStamp | None = None
) -> WithdrawalRequest:
    """A supervisor other than the requester confirms: the stops are lifted and the report is
    withdrawn, in one guarded write."""
    with case_edit(
        case=withdrawal.case_id, user=user, stamp=stamp, action="withdrawal_decide"
    ) as current:
        pending = _pending(current, withdrawal.pk, user)
        if not current.is_draft:
            raise WithdrawalError(_("この届出は受付済のため、取下げを承認できません。"))
        if stops_awaited(current):
            raise WithdrawalError(str(STOPS_AWAITED_MESSAGE))
        listed = {action.pk for action in pending.stops.all()}
        in_force = _stops_in_force(current)
        if {action.pk for action in in_force} - listed:
            raise WithdrawalError(
                _("申請の後に実施された措置があります。申請を差し戻し、改めて申請してください。")
            )
        now = timezone.now()
        for action in in_force:
            action.status = ActionStatus.LIFTED
            action.save(update_fields=["status"])
        current.status = CaseStatus.WITHDRAWN
        current.save(update_fields=["status"])
        pending.state = WithdrawalState.CONFIRMED
        pending.decided_by = user
        pending.decided_at = now
        pending.save(update_fields=["state", "decided_by", "decided_at"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.WITHDRAWAL_CONFIRMED,
            message="取下げを承認しました。解除した措置："
            + ("、".join(_stop_label(action) for action in in_force) or "なし"),
            data={"withdrawal": pending.pk, "lifted": [action.pk for action in in_force]},
        )
        IntakeAutosave.objects.filter(case=current).delete()
    return pending


def withdrawal_reject(
    *,
    withdrawal: WithdrawalRequest,
    user: User,
    comment: str,
    stamp: EditStamp | None = None,
) -> WithdrawalRequest:
    """A supervisor other than the requester sends the request back; the draft stays open."""
    with case_edit(
        case=withdrawal.case_id, user=user, stamp=stamp, action="withdrawal_decide"
    ) as current:
        pending = _pending(current, withdrawal.pk, user)
        pending.state = WithdrawalState.REJECTED
        pending.decided_by = user
        pending.decided_at = timezone.now()
        pending.decision_comment = comment.strip()
        pending.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.WITHDRAWAL_REJECTED,
            message=f"取下げ申請を差し戻しました：{comment.strip()}",
            data={"withdrawal": pending.pk},
        )
    return pending
