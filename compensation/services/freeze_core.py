"""The freeze of a receiving account through the core (docs/core-banking-protocol.md): a freeze
case opens 凍結依頼中 (``requested``) with its stop in the case desk's outbox, written in the same
transaction and sent after commit; the core's answer makes it 凍結済 (``frozen``, with the core's
reference and time) or 凍結できず (``refused``, with the reason, to be asked again or recorded by
hand from the core's terminal). An adapter that confirms at once (no network) freezes inside the
opening. The outbox hands the answers here through the handlers registered in apps.py.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compensation.choices import FreezeEventKind, FreezeStatus
from compensation.models import FreezeCase
from compensation.services.errors import DecisionError
from compensation.services.freeze_guard import FREEZES, freeze_edit, freeze_event_record
from incidents.cases.corebanking import StopRequest, get_adapter
from incidents.cases.edits import EditStamp, row_edit
from incidents.cases.services import (
    CoreOwnerHandlers,
    CoreRequestNotFound,
    NoticeWords,
    core_answer_record,
    core_owner_register,
    core_request_escalation_take,
    core_request_put,
    core_requests_close_by_hand,
    core_unconfirmed_notify,
    date_in_range_or_now,
)
from incidents.cases.services.freeze_core import our_branch
from incidents.cases.services.timeline import bank_language
from incidents.models import CoreRequest
from incidents.models.choices import ActionKind, CoreOwner


def freeze_stop(freeze: FreezeCase, *, requested_by: str) -> StopRequest:
    """What the core is asked: a payment stop on the receiving account, by our branch's code
    (the candidate names the branch as the tellers wrote it)."""
    ours = our_branch(bank=freeze.bank, branch=freeze.account_branch)
    return StopRequest(
        case_id=freeze.pk,
        action_kind=ActionKind.PAYMENT_STOP,
        account_branch=ours.code if ours else freeze.account_branch,
        account_number=freeze.account_number,
        requested_by=requested_by,
    )


def _frozen_message(freeze: FreezeCase) -> str:
    with bank_language():
        return _("口座を凍結しました（照会番号 %(ref)s、残高 %(balance)s円）。") % {
            "ref": freeze.stop_reference,
            "balance": f"{freeze.balance:,}",
        }


def freeze_core_request(*, freeze: FreezeCase, user: Any, first: bool) -> None:
    """Inside the freeze case's transaction: freeze at once with an adapter that confirms at once,
    else put the stop in the outbox (a new key) and leave the case 凍結依頼中."""
    adapter = get_adapter()
    if adapter.confirms_at_once:
        answer = adapter.request_stop(freeze_stop(freeze, requested_by=user.username), key="")
        _freeze(freeze, reference=answer.reference, at=answer.confirmed_at or timezone.now())
        kind = FreezeEventKind.OPENED if first else FreezeEventKind.FROZEN
        freeze_event_record(freeze=freeze, actor=user, kind=kind, message=_frozen_message(freeze))
        return
    request = core_request_put(user=user, freeze_case=freeze)
    freeze.status, freeze.stop_failure = FreezeStatus.REQUESTED, ""
    freeze.save(update_fields=["status", "stop_failure"])
    with bank_language():
        message = _("勘定系へ口座の凍結を依頼しました（残高 %(balance)s円）。") % {
            "balance": f"{freeze.balance:,}"
        }
    freeze_event_record(
        freeze=freeze,
        actor=user,
        kind=FreezeEventKind.OPENED if first else FreezeEventKind.FREEZE_REQUESTED,
        message=message,
        data={"request": str(request.key)},
    )


def _freeze(freeze: FreezeCase, *, reference: str, at: datetime.datetime) -> None:
    freeze.status, freeze.stop_reference, freeze.frozen_at = FreezeStatus.FROZEN, reference, at
    freeze.stop_failure = ""
    freeze.save(update_fields=["status", "stop_reference", "frozen_at", "stop_failure"])


def freeze_case_retry(*, freeze: FreezeCase, user: Any, stamp: EditStamp | None) -> FreezeCase:
    """Ask the core again for a freeze it refused (a new request, a new key)."""
    with freeze_edit(freeze=freeze, user=user, stamp=stamp, action="freeze_retry") as current:
        if current.status != FreezeStatus.REFUSED:
            raise DecisionError(
                [_("凍結を再依頼できるのは、勘定系が凍結を受け付けなかったときです。")]
            )
        freeze_core_request(freeze=current, user=user, first=False)
    return current


def freeze_case_record_by_hand(
    *, freeze: FreezeCase, user: Any, stamp: EditStamp | None, reference: str
) -> FreezeCase:
    """Record a freeze made at the core's terminal with its reference; a request still owed is
    not sent again."""
    reference = reference.replace("\x00", "").strip()
    if not reference or len(reference) > 40:
        raise DecisionError([_("勘定系の端末の照会番号を40文字以内で入力してください。")])
    with freeze_edit(freeze=freeze, user=user, stamp=stamp, action="freeze_by_hand") as current:
        if current.status not in (FreezeStatus.REQUESTED, FreezeStatus.REFUSED):
            raise DecisionError([_("この口座はすでに凍結されています。")])
        core_requests_close_by_hand(freeze_case=current)
        _freeze(current, reference=reference, at=timezone.now())
        freeze_event_record(
            freeze=current,
            actor=user,
            kind=FreezeEventKind.FROZEN,
            message=_frozen_message(current),
            data={"by_hand": True},
        )
    return current


def _request_freeze(request_key: str) -> tuple[uuid.UUID, FreezeCase]:
    try:
        key = uuid.UUID(str(request_key))
    except ValueError:
        raise CoreRequestNotFound(request_key) from None
    freeze = FreezeCase.objects.filter(core_requests__key=key).first()
    if freeze is None:
        raise CoreRequestNotFound(request_key)
    return key, freeze


def freeze_case_confirm(
    *, request_key: str, reference: str, confirmed_at: datetime.datetime | None = None
) -> FreezeCase:
    """The core confirmed the freeze: the case is 凍結済 with the core's reference and time, and
    a line on its timeline (idempotent; after the core's refusal, CoreAnswerConflict)."""
    key, freeze = _request_freeze(request_key)
    reference = reference.replace("\x00", "").strip()[:40] or str(key)[:40]
    with row_edit(rows=FREEZES, row=freeze, user=None, stamp=None, action="freeze_confirm") as cur:
        request = CoreRequest.objects.select_for_update().get(key=key)
        if not core_answer_record(request=request, confirmed=True, reference=reference):
            cur._edit_unchanged = True
            return cur
        if cur.status != FreezeStatus.REQUESTED:
            cur._edit_unchanged = True  # frozen by hand, or asked again, meanwhile
            return cur
        now = request.answered_at or timezone.now()
        _freeze(cur, reference=reference, at=date_in_range_or_now(confirmed_at, now))
        freeze_event_record(
            freeze=cur,
            actor=None,
            kind=FreezeEventKind.FROZEN,
            message=_frozen_message(cur),
            data={"request": str(key), "reference": reference},
        )
    return cur


def freeze_case_refuse(*, request_key: str, code: str, reason: str) -> FreezeCase:
    """The core refused the freeze: the case is 凍結できず with the reason (idempotent; after the
    core's confirmation, CoreAnswerConflict)."""
    key, freeze = _request_freeze(request_key)
    code = code.replace("\x00", "").strip()[:40] or "refused"
    with bank_language():
        reason = reason.replace("\x00", "").strip()[:160] or _("勘定系が凍結を受け付けませんでした")
    failure = f"{reason}（{code}）"[:200]
    with row_edit(rows=FREEZES, row=freeze, user=None, stamp=None, action="freeze_refuse") as cur:
        request = CoreRequest.objects.select_for_update().get(key=key)
        if not core_answer_record(request=request, confirmed=False, error=f"{code}: {reason}"):
            cur._edit_unchanged = True
            return cur
        if cur.status != FreezeStatus.REQUESTED:
            cur._edit_unchanged = True
            return cur
        cur.status, cur.stop_failure = FreezeStatus.REFUSED, failure
        cur.save(update_fields=["status", "stop_failure"])
        freeze_event_record(
            freeze=cur,
            actor=None,
            kind=FreezeEventKind.FREEZE_REFUSED,
            message=failure,
            data={"request": str(key), "code": code},
        )
    return cur


def freeze_case_escalate(*, request_id: int, now: datetime.datetime) -> bool:
    """Say once that a freeze is still unconfirmed: a line on the freeze case's timeline and a
    notice to the monitoring center and the branch's supervisors (as a stop's)."""
    freeze = FreezeCase.objects.get(core_requests__pk=request_id)
    with row_edit(
        rows=FREEZES, row=freeze, user=None, stamp=None, action="freeze_unconfirmed"
    ) as current:
        # Nothing typed changes: the freeze case keeps its version (no open form goes stale).
        current._edit_unchanged = True
        if not core_request_escalation_take(request_id=request_id, now=now):
            return False
        freeze_event_record(
            freeze=current,
            actor=None,
            kind=FreezeEventKind.FREEZE_UNCONFIRMED,
            data={"request": request_id},
        )

        def words() -> NoticeWords:
            return NoticeWords(
                title=_("凍結が未確認：%(account)s") % {"account": str(current)},
                body=_(
                    "勘定系へ依頼した口座の凍結が、依頼から時間がたっても確認されていません。"
                    "勘定系の端末で凍結の状況を確かめてください。"
                ),
                link_label=_("口座凍結を開く"),
            )

        core_unconfirmed_notify(
            branch_id=current.branch_id,
            words=words,
            url=reverse("freezes:detail", args=[current.pk]),
            key=f"freeze-unconfirmed:{request_id}",
        )
    return True


def _stop(request: CoreRequest, requested_by: str) -> StopRequest:
    assert request.freeze_case is not None
    return freeze_stop(request.freeze_case, requested_by=requested_by)


def _place(request: CoreRequest) -> tuple[int | None, int]:
    assert request.freeze_case is not None
    return None, request.freeze_case.branch_id


def freeze_core_register() -> None:
    """Hand the outbox the freeze case's handlers (called once, from the app's ready())."""
    core_owner_register(
        owner=CoreOwner.FREEZE_CASE,
        handlers=CoreOwnerHandlers(
            stop=_stop,
            confirm=freeze_case_confirm,
            refuse=freeze_case_refuse,
            escalate=freeze_case_escalate,
            place=_place,
        ),
    )
