"""Protective stops: carried out through the core system, or declined with a reason."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from incidents.cases.corebanking import StopRequest, get_adapter
from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.cases.services.drafts import _write_fields
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import (
    Case,
    ProtectiveAction,
    User,
)
from incidents.models.choices import (
    EMERGENCY_STOPS,
    ActionStatus,
    EventKind,
)


def action_perform(
    *,
    action: ProtectiveAction,
    user: User,
    reference: str = "",
    stamp: EditStamp | None = None,
) -> ProtectiveAction:
    """Carry out one stop: through the core-banking adapter, or record one done there by hand."""
    with case_edit(case=action.case_id, user=user, stamp=stamp, action="stop") as current:
        return _perform(action_id=action.pk, case=current, user=user, reference=reference)


def _perform(*, action_id: int, case: Case, user: User, reference: str = "") -> ProtectiveAction:
    action = (
        ProtectiveAction.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=action_id, case=case)
    )
    if action.status == ActionStatus.DONE:
        return action  # a second click must not stop the card twice
    if reference:
        performed_at = timezone.now()
    else:
        item = action.item
        result = get_adapter().perform_stop(
            StopRequest(
                case_id=action.case_id,
                action_kind=action.kind,
                account_branch=item.account_branch if item else "",
                account_number=item.account_number if item else "",
                requested_by=user.username,
            )
        )
        reference, performed_at = result.reference, result.performed_at
    action.status = ActionStatus.DONE
    action.reference = reference
    action.performed_at = performed_at
    action.performed_by = user
    action.decline_reason = ""
    action.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STOP_DONE,
        message=f"{in_bank_language(action.get_kind_display)}（{reference}）",
        data={"action": action.kind, "reference": reference, "item": action.item_id},
    )
    return action


def action_decline(
    *, action: ProtectiveAction, user: User, reason: str, stamp: EditStamp | None = None
) -> ProtectiveAction:
    """Record that a proposed stop was not carried out, and why."""
    with case_edit(case=action.case_id, user=user, stamp=stamp, action="stop") as current:
        return _decline(action_id=action.pk, case=current, user=user, reason=reason)


def _decline(*, action_id: int, case: Case, user: User, reason: str) -> ProtectiveAction:
    action = ProtectiveAction.objects.select_for_update().get(pk=action_id, case=case)
    if action.status == ActionStatus.DONE:
        return action  # a stop carried out cannot be undone by declining it afterwards
    if action.status == ActionStatus.DECLINED and action.decline_reason == reason:
        return action  # each fact once: saving the step again records nothing new
    action.status = ActionStatus.DECLINED
    action.decline_reason = reason
    action.performed_at = timezone.now()
    action.performed_by = user
    action.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STOP_DECLINED,
        message=f"{in_bank_language(action.get_kind_display)}：{reason}",
        data={"action": action.kind, "reason": reason, "item": action.item_id},
    )
    return action


def case_save_stops(
    *,
    case: Case,
    user: User,
    decisions: Iterable[tuple[int, str, str]],
    stamp: EditStamp | None = None,
) -> list[ProtectiveAction]:
    """The stops step: carry out or decline each proposed stop, as one guarded write.

    ``decisions`` are (action id, decision, reference or reason); an undecided stop is left alone.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="step:stops") as current:
        done = []
        for action_id, decision, text in decisions:
            if decision == ActionStatus.DONE:
                done.append(_perform(action_id=action_id, case=current, user=user, reference=text))
            elif decision == ActionStatus.DECLINED:
                done.append(_decline(action_id=action_id, case=current, user=user, reason=text))
        _write_fields(case=current, user=user, step="stops", fields={})
    return done


def emergency_stops_perform(
    *, case: Case, user: User, stamp: EditStamp | None = None, action_ids=None
) -> list[ProtectiveAction]:
    """Carry out every emergency stop (card, passbook payment, online banking) not yet done, or
    only those of ``action_ids``, as one guarded write."""
    with case_edit(case=case, user=user, stamp=stamp, action="emergency_stops") as current:
        done = _emergency_stops(case=current, user=user, action_ids=action_ids)
        if not done:
            case_unchanged(current)
    return done


def _emergency_stops(*, case: Case, user: User, action_ids=None) -> list[ProtectiveAction]:
    pending = ProtectiveAction.objects.filter(
        case=case, kind__in=EMERGENCY_STOPS, status=ActionStatus.PROPOSED
    )
    if action_ids is not None:
        pending = ProtectiveAction.objects.filter(
            case=case, pk__in=list(action_ids), status=ActionStatus.PROPOSED
        )
    return [_perform(action_id=action.pk, case=case, user=user) for action in pending]
