"""A freeze request to an account at our own bank: the core carries it out as a payment stop and
its answer is recorded on the request (docs/domain.md §9). Other banks are asked by telephone."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from incidents.cases.corebanking import (
    CoreBankingUnavailable,
    StopRequest,
    StopState,
    get_adapter,
)
from incidents.cases.services.timeline import in_bank_language
from incidents.models import Branch, FreezeRequest, User
from incidents.models.choices import ActionKind, FreezeAnswer


def _plain(text: str) -> str:
    # Full-width letters and spaces, and case, do not make another bank or branch.
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _branch_name(text: str) -> str:
    return _plain(text).removesuffix("支店")


def our_branch(*, bank: str, branch: str) -> Branch | None:
    """Our branch that holds a receiving account, when the bank named is our own (by the
    institution's name) and the branch one of ours (by its code or name); else None."""
    ours = {
        _plain(in_bank_language(settings.MAMORI_INSTITUTION_NAME)),
        _plain(str(settings.MAMORI_INSTITUTION_NAME)),
    }
    wanted = _branch_name(branch)
    if _plain(bank) not in ours or not wanted:
        return None
    for candidate in Branch.objects.only("pk", "code", "name"):
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


def freeze_through_core(*, freeze: FreezeRequest, branch: Branch, user: User) -> CoreFreeze:
    """Ask the core to stop payments on the receiving account; its answer, or pending with the
    reason when the core cannot be reached (nothing is recorded as frozen without the core)."""
    request = StopRequest(
        case_id=freeze.case_id,
        action_kind=ActionKind.PAYMENT_STOP,
        account_branch=branch.code,
        account_number=freeze.payee_account_number,
        requested_by=user.username,
    )
    key = freeze_key(case_id=freeze.case_id, branch=branch, account=freeze.payee_account_number)
    try:
        answer = get_adapter().request_stop(request, key=key)
    except CoreBankingUnavailable:
        return CoreFreeze(FreezeAnswer.PENDING, "勘定系に接続できず、凍結を確認できませんでした")
    if answer.state == StopState.CONFIRMED:
        return CoreFreeze(
            FreezeAnswer.FROZEN,
            f"勘定系で支払停止（照会番号 {answer.reference}）",
            answer.reference,
        )
    if answer.state == StopState.REFUSED:
        return CoreFreeze(FreezeAnswer.REFUSED, f"勘定系：{answer.reason or answer.code}"[:200])
    return CoreFreeze(FreezeAnswer.PENDING, "勘定系で受付済み（凍結の確認待ち）")
