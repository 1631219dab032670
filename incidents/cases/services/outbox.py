"""The outbox of stop requests: sent to the core after commit, retried with backoff, asked about
until the core answers, and escalated once when a stop stays unconfirmed.

A request belongs to one owner (a stop, a victim's freeze request, a freeze case): the outbox
sends, retries and escalates them all the same way and hands the core's answer to the owner's
handlers (``CoreOwnerHandlers``), registered here for the case desk's owners and by compensation
for the freeze case (it stands above the case desk, so it registers itself).

Each row is claimed by compare-and-swap before anything is sent (``UPDATE … WHERE state IN open
AND next_attempt_at <= now``), so a task and a sweep, or two sweeps, never send the same request at
the same moment; and the core keeps one stop per idempotency key whatever we resend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.cases.corebanking import (
    CoreBankingUnavailable,
    StopAnswer,
    StopRequest,
    StopState,
    get_adapter,
)
from incidents.cases.edits import case_edit, case_unchanged
from incidents.cases.services.freeze_core import (
    freeze_request_confirm,
    freeze_request_refuse,
    freeze_request_stop,
)
from incidents.cases.services.stops import (
    CoreAnswerConflict,
    CoreRequestNotFound,
    action_confirm,
    action_fail,
    core_request_key,
    stop_request,
)
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.models import CoreRequest, FreezeRequest, ProtectiveAction, User
from incidents.models.choices import (
    OPEN_CORE_REQUEST_STATES,
    CoreOwner,
    CoreRequestState,
    EventKind,
    Role,
)
from notifications.choices import NotificationKind
from notifications.services import notification_create

logger = logging.getLogger(__name__)

# While one sender holds a request, nobody else sends it (longer than a call's timeout).
LEASE = timedelta(seconds=60)
RETRY_BASE_SECONDS = 5
RETRY_MAX_SECONDS = 5 * 60
# How soon a core that accepted a stop is asked whether it is in force.
POLL_SECONDS = 30
SWEEP_BATCH = 100


def retry_delay(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s… up to 5 minutes after the ``attempts``-th failed call."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


@dataclass(frozen=True)
class CoreOwnerHandlers:
    """What the outbox needs of an owner: what to ask the core, where its answers go, how to say
    it stays unconfirmed, and where it stands (its case, if any, and branch: the API's reach)."""

    stop: Callable[[CoreRequest, str], StopRequest]
    confirm: Callable[..., Any]  # (request_key=, reference=, confirmed_at=)
    refuse: Callable[..., Any]  # (request_key=, code=, reason=)
    escalate: Callable[..., bool]  # (request_id=, now=)
    place: Callable[[CoreRequest], tuple[int | None, int]]  # (case id or None, branch id)


_OWNERS: dict[str, CoreOwnerHandlers] = {}


def core_owner_register(*, owner: str, handlers: CoreOwnerHandlers) -> None:
    """Say how requests of ``owner`` (a CoreOwner value) are sent and answered."""
    _OWNERS[owner] = handlers


def core_owner_handlers(request: CoreRequest) -> CoreOwnerHandlers:
    """The handlers of the request's owner."""
    return _OWNERS[request.owner]


def _claim(request_id: int, now: datetime) -> CoreRequest | None:
    """Take the request for one send if it is open and due (compare-and-swap)."""
    claimed = CoreRequest.objects.filter(
        pk=request_id, state__in=OPEN_CORE_REQUEST_STATES, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return CoreRequest.objects.select_related(
        "action__item", "freeze_request", "freeze_case", "requested_by"
    ).get(pk=request_id)


def _by_key(request_key: str) -> CoreOwnerHandlers:
    key = core_request_key(request_key)
    request = CoreRequest.objects.filter(key=key).first()
    if request is None:
        raise CoreRequestNotFound(request_key)
    return core_owner_handlers(request)


def core_request_confirm(
    *, request_key: str, reference: str, confirmed_at: datetime | None = None
) -> Any:
    """The core confirmed the request under ``request_key`` (asked, or by its callback): its
    owner records it once; CoreRequestNotFound, CoreAnswerConflict as the owners raise them."""
    return _by_key(request_key).confirm(
        request_key=request_key, reference=reference, confirmed_at=confirmed_at
    )


def core_request_refuse(*, request_key: str, code: str, reason: str) -> Any:
    """The core refused the request under ``request_key``: its owner records it once."""
    return _by_key(request_key).refuse(request_key=request_key, code=code, reason=reason)


def core_request_place(*, request_key: str) -> tuple[int | None, int]:
    """The case (None for a freeze case) and the branch of the request under ``request_key``."""
    key = core_request_key(request_key)
    request = (
        CoreRequest.objects.select_related("action__case", "freeze_request__case", "freeze_case")
        .filter(key=key)
        .first()
    )
    if request is None:
        raise CoreRequestNotFound(request_key)
    return core_owner_handlers(request).place(request)


def core_request_send(*, request_id: int, now: datetime | None = None) -> str:
    """Send one due request (or ask the core about one it accepted) and act on the answer; says
    what happened: confirmed, accepted, refused, retry, or skipped (not due, or taken)."""
    now = now or timezone.now()
    request = _claim(request_id, now)
    if request is None:
        return "skipped"
    adapter = get_adapter()
    key = str(request.key)
    owner = core_owner_handlers(request)
    try:
        answer: StopAnswer | None = None
        if request.state == CoreRequestState.ACCEPTED:
            answer = adapter.stop_state(key=key)
        if answer is None:  # never sent, or the core never received it: (re)send under the key
            requester = request.requested_by.username if request.requested_by else ""
            answer = adapter.request_stop(owner.stop(request, requester), key=key)
    except CoreBankingUnavailable as error:
        CoreRequest.objects.filter(pk=request.pk, state__in=OPEN_CORE_REQUEST_STATES).update(
            next_attempt_at=now + retry_delay(request.attempts), last_error=str(error)[:200]
        )
        logger.warning("core request %s: %s; retried later", request.pk, error)
        return "retry"
    try:
        if answer.state == StopState.CONFIRMED:
            owner.confirm(
                request_key=key, reference=answer.reference, confirmed_at=answer.confirmed_at
            )
            return "confirmed"
        if answer.state == StopState.REFUSED:
            owner.refuse(request_key=key, code=answer.code, reason=answer.reason)
            return "refused"
    except CoreAnswerConflict as conflict:
        # The core's callback answered otherwise meanwhile; what it said first stands.
        logger.warning("core request %s: %s; the first answer stands", request.pk, conflict)
        return "conflict"
    CoreRequest.objects.filter(pk=request.pk, state__in=OPEN_CORE_REQUEST_STATES).update(
        state=CoreRequestState.ACCEPTED,
        next_attempt_at=now + timedelta(seconds=POLL_SECONDS),
        last_error="",
    )
    return "accepted"


@dataclass
class SweepResult:
    """What one sweep did, by outcome of each send, and the stops it escalated."""

    sent: dict[str, int] = field(default_factory=dict)
    escalated: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {**self.sent, "escalated": len(self.escalated)}


def core_requests_sweep(*, now: datetime | None = None) -> SweepResult:
    """Send what is due and escalate what waited too long; safe to run twice at once."""
    now = now or timezone.now()
    result = SweepResult()
    due = list(
        CoreRequest.objects.filter(state__in=OPEN_CORE_REQUEST_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for request_id in due:
        outcome = core_request_send(request_id=request_id, now=now)
        result.sent[outcome] = result.sent.get(outcome, 0) + 1
    overdue = list(
        CoreRequest.objects.filter(
            state__in=OPEN_CORE_REQUEST_STATES, escalated_at__isnull=True, confirm_by__lte=now
        )
        .order_by("confirm_by")
        .select_related("action", "freeze_request", "freeze_case")[:SWEEP_BATCH]
    )
    for request in overdue:
        if core_owner_handlers(request).escalate(request_id=request.pk, now=now):
            result.escalated.append(request.pk)
    return result


def core_request_escalation_take(*, request_id: int, now: datetime) -> bool:
    """Mark the request escalated, once (compare-and-swap): False when another run did first."""
    taken = CoreRequest.objects.filter(
        pk=request_id, state__in=OPEN_CORE_REQUEST_STATES, escalated_at__isnull=True
    ).update(escalated_at=now)
    return bool(taken)


def _action_escalate(*, request_id: int, now: datetime) -> bool:
    action = ProtectiveAction.objects.select_related("item").get(core_requests__pk=request_id)
    return core_request_escalate(
        request_id=request_id,
        case_id=action.case_id,
        now=now,
        what=lambda: str(action.get_kind_display()),
        data={"action": action.kind, "item": action.item_id},
    )


def _freeze_request_escalate(*, request_id: int, now: datetime) -> bool:
    freeze = FreezeRequest.objects.get(core_requests__pk=request_id)
    return core_request_escalate(
        request_id=request_id,
        case_id=freeze.case_id,
        now=now,
        what=lambda: f"{_('振込先口座の凍結依頼')} {freeze}",
        data={"freeze_request": freeze.pk},
    )


def core_request_escalate(
    *, request_id: int, case_id: int, now: datetime, what: Callable[[], str], data: dict[str, Any]
) -> bool:
    """Say once that a stop of a case is still unconfirmed: a timeline line, and a notice to the
    monitoring center and the case branch's supervisors. False when another run said it first.

    ``what`` names the stop in the active language: the timeline's line in the bank's, each
    notice in its reader's."""
    with case_edit(
        case=case_id, user=None, stamp=None, action="stop_unconfirmed", merged_ok=True
    ) as current:
        # Nothing the teller typed changes: the case keeps its version (no open form goes stale).
        case_unchanged(current)
        if not core_request_escalation_take(request_id=request_id, now=now):
            return False
        timeline_record(
            case=current,
            actor=None,
            kind=EventKind.STOP_UNCONFIRMED,
            message=in_bank_language(what),
            data={**data, "request": request_id},
        )
        number = current.number or f"#{current.pk}"

        def words() -> NoticeWords:
            title = _("停止が未確認：%(number)s %(kind)s") % {"number": number, "kind": what()}
            body = _(
                "勘定系へ依頼した停止が、依頼から時間がたっても確認されていません。"
                "勘定系の端末で停止状況を確かめてください。"
            )
            return NoticeWords(title=title, body=body, link_label=_("事故を開く"))

        core_unconfirmed_notify(
            branch_id=current.branch_id,
            words=words,
            url=reverse("incidents:case_detail", args=[current.pk]),
            key=f"stop-unconfirmed:{request_id}",
        )
    return True


@dataclass(frozen=True)
class NoticeWords:
    """A notice's title, body and link label, in one language."""

    title: str
    body: str
    link_label: str


def core_unconfirmed_notify(
    *, branch_id: int, words: Callable[[], NoticeWords], url: str, key: str
) -> None:
    """Tell the monitoring center and the branch's supervisors that the core has not confirmed a
    request in time: one notice each (``key`` and the recipient make it once only), in the
    language each reads (``words`` is called in it)."""
    recipients = User.objects.filter(is_active=True).filter(
        Q(role=Role.MONITORING) | Q(role=Role.SUPERVISOR, branch_id=branch_id)
    )
    for user in recipients.order_by("pk"):
        with translation.override(user.language):
            said = words()
        notification_create(
            recipient=user,
            kind=NotificationKind.ESCALATION,
            title=said.title,
            body=said.body,
            url=url,
            link_label=said.link_label,
            dedupe_key=f"{key}:{user.pk}",
        )


def _action_place(request: CoreRequest) -> tuple[int | None, int]:
    assert request.action is not None
    return request.action.case_id, request.action.case.branch_id


def _freeze_request_place(request: CoreRequest) -> tuple[int | None, int]:
    assert request.freeze_request is not None
    return request.freeze_request.case_id, request.freeze_request.case.branch_id


def _action_stop(request: CoreRequest, requested_by: str) -> StopRequest:
    assert request.action is not None
    return stop_request(request.action, requested_by=requested_by)


core_owner_register(
    owner=CoreOwner.ACTION,
    handlers=CoreOwnerHandlers(
        stop=_action_stop,
        confirm=action_confirm,
        refuse=action_fail,
        escalate=_action_escalate,
        place=_action_place,
    ),
)
core_owner_register(
    owner=CoreOwner.FREEZE_REQUEST,
    handlers=CoreOwnerHandlers(
        stop=freeze_request_stop,
        confirm=freeze_request_confirm,
        refuse=freeze_request_refuse,
        escalate=_freeze_request_escalate,
        place=_freeze_request_place,
    ),
)
