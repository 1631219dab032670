"""A freeze request to an account at our own bank: the core carries it out as a payment stop and
its answer is recorded on the request (docs/domain.md §9). Other banks are asked by telephone.

The stop leaves through the outbox (incidents.cases.services.outbox) after the case's change
commits, under one key per case and account; the request stays unanswered (pending) until the
core answers, and the answer is then recorded on it and on the case's timeline. An adapter that
confirms at once (no network, the demo's) answers inside the save."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from incidents.cases.corebanking import (
    StopAnswer,
    StopRequest,
    StopState,
    get_adapter,
)
from incidents.cases.edits import case_edit, case_unchanged
from incidents.cases.services.stops import (
    STOPPED_BY_HAND,
    CoreRequestNotFound,
    core_answer_record,
    core_request_key,
    core_request_put,
    core_requests_close_by_hand,
)
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import Branch, CoreRequest, FreezeRequest, ProtectiveAction, User
from incidents.models.choices import (
    ActionKind,
    ActionStatus,
    CoreRequestState,
    EventKind,
    FreezeAnswer,
)


def _plain(text: str) -> str:
    # Full-width letters and spaces, and case, do not make another bank or branch.
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _branch_name(text: str) -> str:
    return _plain(text).removesuffix("支店")


def our_branches() -> list[Branch]:
    """Our branches, as ``our_branch`` compares them (read once for a list of accounts)."""
    return list(Branch.objects.only("pk", "code", "name"))


def our_branch(
    *, bank: str, branch: str, branches: Iterable[Branch] | None = None
) -> Branch | None:
    """Our branch that holds a receiving account, when the bank named is our own (by the
    institution's name) and the branch one of ours (by its code or name); else None.
    ``branches`` (from ``our_branches``) spares a query per account."""
    ours = {
        _plain(in_bank_language(settings.MAMORI_INSTITUTION_NAME)),
        _plain(str(settings.MAMORI_INSTITUTION_NAME)),
    }
    wanted = _branch_name(branch)
    if _plain(bank) not in ours or not wanted:
        return None
    for candidate in our_branches() if branches is None else branches:
        if wanted in (_plain(candidate.code), _branch_name(candidate.name)):
            return candidate
    return None


def core_branch_for(*, bank: str, branch: str, answer: str) -> Branch | None:
    """The branch to send a freeze request to through the core: only an unanswered request to an
    account at our own bank (an answer recorded by hand is the teller's, never overwritten)."""
    if answer != FreezeAnswer.PENDING:
        return None
    return our_branch(bank=bank, branch=branch)


@dataclass(frozen=True)
class CoreFreeze:
    """What the core said about a freeze request, as the request and the timeline record it."""

    answer: str
    note: str
    reference: str = ""


def freeze_key(*, case_id: int, branch: Branch, account: str) -> str:
    """The idempotency key of the stop: one per case and account, so asking again (a resubmit,
    a retry after the core was unreachable, a second request) makes no second stop."""
    digest = hashlib.sha256(f"{branch.code}|{account}".encode()).hexdigest()[:16]
    return f"freeze-{case_id}-{digest}"


# The key of a freeze request's stop is derived from freeze_key (one per case and account).
FREEZE_KEYS = uuid.UUID("6f1d5a52-0b7e-4c1e-9a54-3c0f6e0b2d15")
WAITING_NOTE = "勘定系へ凍結を依頼しました（回答待ち）"


def freeze_request_key(*, case_id: int, branch: Branch, account: str) -> uuid.UUID:
    """The outbox key of the stop for this case and account (a UUID, as the outbox keys are)."""
    return uuid.uuid5(FREEZE_KEYS, freeze_key(case_id=case_id, branch=branch, account=account))


def _core_freeze(answer: StopAnswer) -> CoreFreeze:
    """What an answer of the core means for the request (the words the request records)."""
    if answer.state == StopState.CONFIRMED:
        return CoreFreeze(
            FreezeAnswer.FROZEN,
            f"勘定系で支払停止（照会番号 {answer.reference}）",
            answer.reference,
        )
    if answer.state == StopState.REFUSED:
        return CoreFreeze(FreezeAnswer.REFUSED, f"勘定系：{answer.reason or answer.code}"[:200])
    return CoreFreeze(FreezeAnswer.PENDING, WAITING_NOTE)


def _stop_of(freeze: FreezeRequest, *, branch: Branch | None, requested_by: str) -> StopRequest:
    return StopRequest(
        case_id=freeze.case_id,
        action_kind=ActionKind.PAYMENT_STOP,
        account_branch=branch.code if branch else freeze.payee_branch,
        account_number=freeze.payee_account_number,
        requested_by=requested_by,
    )


def freeze_through_core(*, freeze: FreezeRequest, branch: Branch, user: User) -> CoreFreeze:
    """Inside the case's transaction: ask the core to stop payments on the receiving account.
    An adapter that confirms at once answers here; otherwise the stop is put in the outbox (it
    leaves after commit) and the request waits, pending, for the core's answer. A request for an
    account already asked of the core in this case takes that answer (no second stop)."""
    key = freeze_request_key(
        case_id=freeze.case_id, branch=branch, account=freeze.payee_account_number
    )
    adapter = get_adapter()
    if adapter.confirms_at_once:
        stop = _stop_of(freeze, branch=branch, requested_by=user.username)
        return _core_freeze(adapter.request_stop(stop, key=str(key)))
    earlier = CoreRequest.objects.filter(key=key).select_related("freeze_request").first()
    if earlier is None:
        core_request_put(user=user, freeze_request=freeze, key=key)
        return CoreFreeze(FreezeAnswer.PENDING, WAITING_NOTE)
    if earlier.state == CoreRequestState.CONFIRMED and earlier.reference:
        return _core_freeze(StopAnswer(state=StopState.CONFIRMED, reference=earlier.reference))
    if earlier.state == CoreRequestState.FAILED and earlier.last_error == STOPPED_BY_HAND:
        return CoreFreeze(FreezeAnswer.PENDING, "")  # the teller answered the first by hand
    first = earlier.freeze_request
    if first is not None and first.answer == FreezeAnswer.REFUSED:
        return CoreFreeze(FreezeAnswer.REFUSED, first.answer_note)
    return CoreFreeze(FreezeAnswer.PENDING, WAITING_NOTE)


def freeze_request_answered_by_hand(*, freeze: FreezeRequest) -> None:
    """The teller recorded the answer: a stop still owed for the request is not sent again."""
    if freeze.answer != FreezeAnswer.PENDING:
        core_requests_close_by_hand(freeze_request=freeze)


def freeze_request_stop(request: CoreRequest, requested_by: str) -> StopRequest:
    """What the core is asked for a freeze request (the outbox's ``stop`` handler)."""
    freeze = request.freeze_request
    assert freeze is not None
    branch = our_branch(bank=freeze.payee_bank, branch=freeze.payee_branch)
    return _stop_of(freeze, branch=branch, requested_by=requested_by)


def _freeze_request_case(request_key: str) -> tuple[uuid.UUID, int]:
    key = core_request_key(request_key)
    case_id = (
        CoreRequest.objects.filter(key=key, freeze_request__isnull=False)
        .values_list("freeze_request__case_id", flat=True)
        .first()
    )
    if case_id is None:
        raise CoreRequestNotFound(request_key)
    return key, case_id


def _answer_record(*, request_key: str, answer: StopAnswer, action: str) -> FreezeRequest:
    key, case_id = _freeze_request_case(request_key)
    core = _core_freeze(answer)
    # The core's answer is a fact even on a case merged into another meanwhile (merged_ok).
    with case_edit(case=case_id, user=None, stamp=None, action=action, merged_ok=True) as current:
        request = CoreRequest.objects.select_for_update().get(key=key)
        owner = FreezeRequest.objects.select_for_update(of=("self",)).get(core_requests=request)
        confirmed = core.answer == FreezeAnswer.FROZEN
        error = f"{answer.code}: {answer.reason or answer.code}"
        if not core_answer_record(
            request=request, confirmed=confirmed, reference=core.reference, error=error
        ):
            case_unchanged(current)
            return owner
        # The request, and any later one of the case for the same account that waits on this
        # very stop; an answer the teller recorded by hand is never overwritten.
        waiting = [
            freeze
            for freeze in FreezeRequest.objects.select_for_update().filter(
                case=current,
                answer=FreezeAnswer.PENDING,
                answer_note=WAITING_NOTE,
                payee_account_number=owner.payee_account_number,
            )
            if freeze.pk == owner.pk or _same_stop(freeze, key)
        ]
        if not waiting:
            case_unchanged(current)
            return owner
        for freeze in waiting:
            freeze.answer, freeze.answer_note = core.answer, core.note
            freeze.save(update_fields=["answer", "answer_note", "updated_at"])
            if core.reference:
                # The proposed freeze was carried out by the request: it takes the core's number.
                ProtectiveAction.objects.filter(
                    case=current,
                    kind=ActionKind.RECEIVING_FREEZE,
                    status=ActionStatus.DONE,
                    reference=_placeholder(freeze),
                ).update(reference=core.reference)
            timeline_record(
                case=current,
                actor=None,
                kind=EventKind.FREEZE_ANSWERED,
                message=(
                    f"{freeze}（{freeze.contact_name}様）："
                    f"{in_bank_language(FreezeAnswer(freeze.answer).label)}（{core.note}）"
                ),
                data={
                    "freeze_request": freeze.pk,
                    "answer": freeze.answer,
                    "core": core.reference or core.note,
                },
            )
        owner.refresh_from_db()
        return owner


def _same_stop(freeze: FreezeRequest, key: uuid.UUID) -> bool:
    branch = our_branch(bank=freeze.payee_bank, branch=freeze.payee_branch)
    return branch is not None and key == freeze_request_key(
        case_id=freeze.case_id, branch=branch, account=freeze.payee_account_number
    )


def freeze_action_reference(freeze: FreezeRequest, core: CoreFreeze | None) -> str:
    """The reference the proposed freeze takes when the request carries it out."""
    return (core.reference if core and core.reference else _placeholder(freeze))[:40]


def _placeholder(freeze: FreezeRequest) -> str:
    return f"{freeze.payee_bank} {freeze.contact_name}"[:40]


def freeze_request_confirm(
    *, request_key: str, reference: str, confirmed_at: datetime | None = None
) -> FreezeRequest:
    """The core confirmed a freeze request's stop: the request is frozen with the core's
    reference (idempotent; after the core's refusal, CoreAnswerConflict)."""
    reference = reference.replace("\x00", "").strip()[:40] or "-"
    answer = StopAnswer(state=StopState.CONFIRMED, reference=reference, confirmed_at=confirmed_at)
    return _answer_record(request_key=request_key, answer=answer, action="freeze_confirm")


def freeze_request_refuse(*, request_key: str, code: str, reason: str) -> FreezeRequest:
    """The core refused a freeze request's stop: the request is refused with the core's reason
    (idempotent; after the core's confirmation, CoreAnswerConflict)."""
    code = code.replace("\x00", "").strip()[:40] or "refused"
    reason = reason.replace("\x00", "").strip()[:200]
    answer = StopAnswer(state=StopState.REFUSED, code=code, reason=reason)
    return _answer_record(request_key=request_key, answer=answer, action="freeze_refuse")
