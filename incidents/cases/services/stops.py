"""Protective stops: requested from the core system (through the outbox, unless the adapter
confirms at once), confirmed or refused by it, recorded from the core's terminal, or declined."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.cases.corebanking import StopRequest, get_adapter
from incidents.cases.edits import EditStamp, case_answered, case_edit, case_unchanged
from incidents.cases.services.drafts import _write_fields
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import (
    Case,
    CoreRequest,
    ProtectiveAction,
    User,
)
from incidents.models.choices import (
    BY_FREEZE_REQUEST,
    EMERGENCY_STOPS,
    OPEN_CORE_REQUEST_STATES,
    STOPPABLE,
    ActionStatus,
    CoreRequestState,
    EventKind,
)

logger = logging.getLogger(__name__)


def action_perform(
    *,
    action: ProtectiveAction,
    user: User,
    reference: str = "",
    stamp: EditStamp | None = None,
) -> ProtectiveAction:
    """Carry out one stop: request it from the core (retrying a failed one under a new key), or
    record one done at the core's terminal with its reference."""
    with case_edit(case=action.case_id, user=user, stamp=stamp, action="stop") as current:
        return _perform(action_id=action.pk, case=current, user=user, reference=reference)


# Why a request was closed by Mamori rather than refused by the core (see action_confirm).
STOPPED_BY_HAND = "stopped by hand at the core's terminal"


def _perform(*, action_id: int, case: Case, user: User, reference: str = "") -> ProtectiveAction:
    action = (
        ProtectiveAction.objects.select_for_update(of=("self",))
        .select_related("item")
        .get(pk=action_id, case=case)
    )
    if action.status == ActionStatus.DONE:
        return action  # a second click must not stop the card twice
    if action.kind in BY_FREEZE_REQUEST:
        # The forms never offer it: the freeze request that records it marks it done.
        raise ValueError(f"{action.kind} is carried out by a freeze request, not by the core")
    if action.status == ActionStatus.REQUESTED and not reference:
        return action  # in flight: the core answers the request already sent
    if reference:
        # Stopped at the core's terminal: a request still owed is not sent again (a core that
        # already has it answers under its key, and the stop stands once).
        core_requests_close_by_hand(action=action)
        action.performed_by = user
        _complete(action=action, case=case, actor=user, reference=reference, at=timezone.now())
        return action
    adapter = get_adapter()
    if adapter.confirms_at_once:
        answer = adapter.request_stop(stop_request(action, requested_by=user.username), key="")
        action.performed_by = user
        _complete(
            action=action,
            case=case,
            actor=user,
            reference=answer.reference,
            at=answer.confirmed_at or timezone.now(),
        )
        return action
    _request(action=action, case=case, user=user)
    return action


def stop_request(action: ProtectiveAction, *, requested_by: str) -> StopRequest:
    """What the core is asked for one stop."""
    item = action.item
    return StopRequest(
        case_id=action.case_id,
        action_kind=action.kind,
        account_branch=item.account_branch if item else "",
        account_number=item.account_number if item else "",
        requested_by=requested_by,
    )


def _request(*, action: ProtectiveAction, case: Case, user: User) -> CoreRequest:
    """Put the stop in the outbox under a new key; it leaves once this transaction commits."""
    request = core_request_put(user=user, action=action)
    now = request.created_at
    action.status = ActionStatus.REQUESTED
    action.requested_at = now
    action.performed_by = user
    action.failure_code = action.failure_reason = ""
    action.save()
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STOP_REQUESTED,
        message=in_bank_language(action.get_kind_display),
        data={"action": action.kind, "item": action.item_id, "request": str(request.key)},
    )
    return request


SEND_TASK = "incidents.tasks.send_core_request"


def core_request_enqueue(*, request_id: int) -> bool:
    """Hand the request to a worker; a broker that is down is logged, never raised: the row stays
    due and the sweep sends it."""
    try:
        current_app.send_task(
            SEND_TASK,
            args=[request_id],
            retry=True,
            retry_policy={
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.5,
                "interval_max": 0.5,
            },
        )
    except Exception as exc:
        logger.warning("core request %s waits: broker unavailable (%s)", request_id, exc)
        return False
    return True


def _complete(
    *, action: ProtectiveAction, case: Case, actor: User | None, reference: str, at: datetime
) -> None:
    """The stop is in force: its reference and time on the action, STOP_DONE on the timeline."""
    action.status = ActionStatus.DONE
    action.reference = reference
    action.performed_at = at
    action.decline_reason = ""
    action.failure_code = action.failure_reason = ""
    action.save()
    timeline_record(
        case=case,
        actor=actor,
        kind=EventKind.STOP_DONE,
        message=f"{in_bank_language(action.get_kind_display)}（{reference}）",
        data={"action": action.kind, "reference": reference, "item": action.item_id},
    )


class CoreRequestNotFound(Exception):
    """No stop request under this key."""


class CoreAnswerConflict(Exception):
    """The core's answer contradicts the one already recorded for the request (a confirmation
    after a refusal, or the reverse): the case's history is never rewritten."""

    def __init__(self, request_key: str, recorded: str) -> None:
        super().__init__(f"{request_key}: already {recorded}")
        self.recorded = recorded


def core_request_key(request_key: str) -> uuid.UUID:
    """The key as a UUID; CoreRequestNotFound for anything that cannot be one."""
    try:
        return uuid.UUID(str(request_key))
    except (ValueError, AttributeError):
        raise CoreRequestNotFound(request_key) from None


def _request_case(request_key: str) -> tuple[uuid.UUID, int]:
    """The request's key and its case (to lock the case first, as every write does)."""
    key = core_request_key(request_key)
    case_id = (
        CoreRequest.objects.filter(key=key, action__isnull=False)
        .values_list("action__case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise CoreRequestNotFound(request_key)
    return key, case_id


def core_answer_record(
    *, request: CoreRequest, confirmed: bool, reference: str = "", error: str = ""
) -> bool:
    """Put the core's answer on a locked request (every owner's one rule): True when it is new
    (the owner records it), False when the request already had it; CoreAnswerConflict when it
    had the other answer. A request closed because the stop was made by hand takes the core's
    confirmation (the owner then keeps what was recorded by hand)."""
    if confirmed:
        if request.state == CoreRequestState.CONFIRMED:
            return False
        if request.state == CoreRequestState.FAILED and request.last_error != STOPPED_BY_HAND:
            raise CoreAnswerConflict(str(request.key), recorded=CoreRequestState.FAILED)
        request.state, request.reference = CoreRequestState.CONFIRMED, reference[:40]
    else:
        if request.state == CoreRequestState.CONFIRMED:
            raise CoreAnswerConflict(str(request.key), recorded=CoreRequestState.CONFIRMED)
        if request.state == CoreRequestState.FAILED:
            return False
        request.state, request.last_error = CoreRequestState.FAILED, error[:200]
    request.next_attempt_at, request.answered_at = None, timezone.now()
    request.save(
        update_fields=["state", "reference", "last_error", "next_attempt_at", "answered_at"]
    )
    return True


def core_request_put(*, user: User | None, **owner: object) -> CoreRequest:
    """Write a request to the outbox for its owner (``action=``, ``freeze_request=`` or
    ``freeze_case=``), in the owner's transaction; it leaves once that commits."""
    now = timezone.now()
    request = CoreRequest.objects.create(
        **owner,
        requested_by=user,
        next_attempt_at=now,
        confirm_by=now + timedelta(minutes=settings.MAMORI_STOP_CONFIRM_MINUTES),
    )
    transaction.on_commit(partial(core_request_enqueue, request_id=request.pk), robust=True)
    return request


def core_requests_close_by_hand(**owner: object) -> int:
    """The owner's stop was recorded by hand: a request still owed is not sent again (a core
    that already has it answers under its key, and the stop stands once)."""
    return CoreRequest.objects.filter(**owner, state__in=OPEN_CORE_REQUEST_STATES).update(
        state=CoreRequestState.FAILED, next_attempt_at=None, last_error=STOPPED_BY_HAND
    )


def action_confirm(
    *, request_key: str, reference: str, confirmed_at: datetime | None = None
) -> ProtectiveAction:
    """The core confirmed a stop request: the stop is done (idempotent; a second confirmation
    changes nothing; one after the core's refusal raises CoreAnswerConflict)."""
    key, case_id = _request_case(request_key)
    reference = reference.replace("\x00", "").strip()[:40]
    # The core's answer is a fact even on a case merged into another meanwhile (merged_ok).
    with case_edit(
        case=case_id, user=None, stamp=None, action="stop_confirm", merged_ok=True
    ) as current:
        request = CoreRequest.objects.select_for_update().get(key=key)
        action = ProtectiveAction.objects.select_for_update(of=("self",)).get(core_requests=request)
        reference = reference or str(request.key)[:40]
        if not core_answer_record(request=request, confirmed=True, reference=reference):
            case_unchanged(current)
            return action
        if action.status == ActionStatus.DONE:
            case_unchanged(current)  # stopped by hand meanwhile: the stop stands once
            return action
        _complete(
            action=action,
            case=current,
            actor=None,
            reference=reference,
            at=date_in_range_or_now(confirmed_at, request.answered_at or timezone.now()),
        )
        # The stop the teller asked for now stands: nothing on the teller's screen is wrong for
        # it, so the step they are on (often the next one of the intake) is not refused as stale.
        case_answered(current)
        return action


def date_in_range_or_now(moment: datetime | None, now: datetime) -> datetime:
    """The core's time of confirmation when it is a real one (aware, not in the future)."""
    if moment is None or timezone.is_naive(moment) or moment > now or moment.year < 2000:
        return now
    return moment


def action_fail(*, request_key: str, code: str, reason: str) -> ProtectiveAction:
    """The core refused a stop request: the stop is FAILED with its reason (idempotent; a refusal
    after a confirmation raises CoreAnswerConflict)."""
    key, case_id = _request_case(request_key)
    code = code.replace("\x00", "").strip()[:40] or "refused"
    reason = reason.replace("\x00", "").strip()[:200] or in_bank_language(
        _("勘定系が停止を受け付けませんでした")
    )
    with case_edit(
        case=case_id, user=None, stamp=None, action="stop_fail", merged_ok=True
    ) as current:
        request = CoreRequest.objects.select_for_update().get(key=key)
        action = ProtectiveAction.objects.select_for_update(of=("self",)).get(core_requests=request)
        if not core_answer_record(request=request, confirmed=False, error=f"{code}: {reason}"):
            case_unchanged(current)
            return action
        if action.status != ActionStatus.REQUESTED:
            case_unchanged(current)  # done by hand or retried meanwhile
            return action
        action.status = ActionStatus.FAILED
        action.failure_code, action.failure_reason = code, reason
        action.save(update_fields=["status", "failure_code", "failure_reason"])
        timeline_record(
            case=current,
            actor=None,
            kind=EventKind.STOP_FAILED,
            message=f"{in_bank_language(action.get_kind_display)}：{reason}",
            data={"action": action.kind, "code": code, "reason": reason, "item": action.item_id},
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
    # A stop the core refused is asked again, under a new key (the teller's retry).
    pending = ProtectiveAction.objects.filter(
        case=case, kind__in=EMERGENCY_STOPS, status__in=STOPPABLE
    )
    if action_ids is not None:
        pending = ProtectiveAction.objects.filter(
            case=case, pk__in=list(action_ids), status__in=STOPPABLE
        )
    return [_perform(action_id=action.pk, case=case, user=user) for action in pending]
