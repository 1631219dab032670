"""Reads of the API: cases through the case desk's scoping and the case page's selectors."""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from api.models import ApiClient
from compensation.selectors.decisions import case_decisions, decision_current
from compensation.selectors.evaluation import case_evaluate
from incidents.cases.selectors import case_get_full
from incidents.cases.services import CoreRequestNotFound, core_request_place
from incidents.deadlines.selectors import deadline_list_for_case
from incidents.models import Branch, Case, CoreRequest, ProtectiveAction
from incidents.models.choices import ActionKind, CaseStatus, FreezeAnswer
from incidents.models.querysets import VIEW


def client_sees_branch(client: ApiClient, branch_id: int) -> bool:
    """Whether the client was given the branch (or every branch)."""
    if client.all_branches:
        return True
    return client.branches.filter(pk=branch_id).exists()


def client_cases(client: ApiClient, action: str = VIEW) -> QuerySet[Case]:
    """The cases the client may reach: the case desk's rule for its account (``restrict``),
    narrowed to the client's branches; a draft is not yet a report and is never shown."""
    queryset = Case.objects.restrict(client.user, action).exclude(status=CaseStatus.DRAFT)
    if not client.all_branches:
        queryset = queryset.filter(branch__in=Branch.objects.filter(api_clients=client))
    return queryset


def api_case_get(*, client: ApiClient, pk: int) -> Case:
    """One case for the API, read as the case page reads it; 404 outside the client's reach."""
    case = case_get_full(user=client.user, pk=pk)
    if case.status == CaseStatus.DRAFT or not client_sees_branch(client, case.branch_id):
        raise Http404
    return case


def api_case_document(case: Case) -> dict[str, Any]:
    """What the API says of a case: ids, states, dates and amounts; no name, account or address."""
    evaluation = case_evaluate(case)
    current = decision_current(case_decisions(case))
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "branch": case.branch.code,
        "after_hours": case.after_hours,
        "notified_at": case.notified_at,
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "version": case.version,
        "items": [
            {"id": item.pk, "kind": item.kind, "state": item.state, "occurred_on": item.occurred_on}
            for item in case.items.all()
        ],
        "stops": [_stop(action) for action in case.actions.all()],
        "deadlines": [
            {
                "id": deadline.pk,
                "kind": deadline.kind,
                "state": deadline.state,
                "due_at": deadline.due_at,
                "closed_at": deadline.closed_at,
            }
            for deadline in deadline_list_for_case(case=case)
        ],
        "assessment": {
            "outcome": evaluation.outcome,
            "estimate": evaluation.is_estimate,
            "window_start": evaluation.window_start,
            "claimed_total": evaluation.claimed_total,
            "compensation_total": evaluation.compensation_total,
            "transactions": [
                {
                    "id": line.tx.pk,
                    "date": line.date,
                    "amount": line.tx.amount,
                    "claimed": line.result.claimed,
                    "rate": line.rate,
                    "compensation": line.compensation,
                    "status": line.status,
                }
                for line in evaluation.lines
            ],
        },
        "decision": None
        if current is None
        else {
            "id": current.pk,
            "number": current.number,
            "status": current.status,
            "outcome": current.outcome,
            "reviewed_at": current.reviewed_at,
        },
    }


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def api_preliminary_document(*, pk: int) -> dict[str, Any]:
    """The answer to an opened (or resent) call: number, branch and the stops with references."""
    case = Case.objects.select_related("branch").get(pk=pk)
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "branch": case.branch.code,
        "stops": [_stop(action) for action in case.actions.order_by("pk")],
    }


def _stop(action: ProtectiveAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "kind": action.kind,
        "status": action.status,
        "item": action.item_id,
        "reference": action.reference,
        "performed_at": action.performed_at,
    }


class CursorError(ValueError):
    """A cursor this API did not hand out."""


@dataclass(frozen=True)
class Cursor:
    """Where a reader of the changes stands: after this change time and case id."""

    at: datetime.datetime
    case_id: int

    def encode(self) -> str:
        micros = (self.at - EPOCH) // datetime.timedelta(microseconds=1)
        text = f"1.{micros}.{self.case_id}"
        return base64.urlsafe_b64encode(text.encode("ascii")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            padded = value + "=" * (-len(value) % 4)
            text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
            version, micros, case_id = text.split(".")
            if version != "1" or not micros.isdigit() or not case_id.isdigit():
                raise CursorError(value)
            at = EPOCH + datetime.timedelta(microseconds=int(micros))
            number = int(case_id)
        except (UnicodeError, binascii.Error, ValueError, OverflowError, OSError):
            raise CursorError(value) from None
        if number > 2**63 - 1:
            raise CursorError(value)
        return cls(at=at, case_id=number)


@dataclass(frozen=True)
class ChangesPage:
    """One page of changed cases and the cursor to ask for the next."""

    cases: list[Case]
    next_cursor: str | None
    has_more: bool


def case_changes(*, client: ApiClient, cursor: Cursor | None, limit: int) -> ChangesPage:
    """Cases changed after ``cursor``, oldest change first (change time, then id: a stable order).

    Only changes older than the settling time are listed, so a change whose transaction was still
    open when the page was read is not skipped by the cursor.
    """
    settled = timezone.now() - datetime.timedelta(
        seconds=settings.MAMORI_API_CHANGES_SETTLE_SECONDS
    )
    queryset = client_cases(client).filter(updated_at__lte=settled)
    if cursor is not None:
        queryset = queryset.filter(
            Q(updated_at__gt=cursor.at) | Q(updated_at=cursor.at, pk__gt=cursor.case_id)
        )
    rows = list(
        queryset.select_related("branch")
        .only("pk", "number", "status", "branch__code", "updated_at", "version")
        .order_by("updated_at", "pk")[: limit + 1]
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        last = rows[-1]
        next_cursor: str | None = Cursor(at=last.updated_at, case_id=last.pk).encode()
    else:
        next_cursor = cursor.encode() if cursor is not None else None
    return ChangesPage(cases=rows, next_cursor=next_cursor, has_more=has_more)


class StopOutOfReach(Http404):
    """A stop request of a case the client may not reach (answered as an unknown key)."""

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id


def api_stop_case(*, client: ApiClient, key: str) -> int | None:
    """The case of the stop request under ``key`` (None for a freeze case's), if the client may
    answer for it; 404 otherwise (an unknown key and another branch's stop look the same)."""
    try:
        case_id, branch_id = core_request_place(request_key=key)
    except CoreRequestNotFound:
        raise Http404 from None
    if case_id is None:
        # A freeze case (口座凍結) has no case of the desk: it is reached by its branch.
        if not client.all_branches and not client.branches.filter(pk=branch_id).exists():
            raise Http404
        return None
    # Drafts too: a teller's stops are asked for while the case is still a draft.
    cases = Case.objects.restrict(client.user, VIEW).filter(pk=case_id)
    if not client.all_branches:
        cases = cases.filter(branch__in=Branch.objects.filter(api_clients=client))
    if not cases.exists():
        raise StopOutOfReach(case_id)
    return case_id


def api_stop_document(*, key: str) -> dict[str, Any]:
    """What the core reads back after its answer: the request's state and its owner's (the stop,
    the victim's freeze request, or the freeze case)."""
    request = CoreRequest.objects.select_related("action", "freeze_request", "freeze_case").get(
        key=uuid.UUID(key)
    )
    document: dict[str, Any] = {
        "key": request.key,
        "request_state": request.state,
        "owner": request.owner,
        "case": None,
        "stop": None,
        "freeze_request": None,
        "freeze_case": None,
        "kind": ActionKind.PAYMENT_STOP,
        "reference": request.reference,
        "performed_at": request.answered_at if request.reference else None,
        "failure_code": "",
        "failure_reason": "",
    }
    code, _sep, reason = request.last_error.partition(": ")
    if request.action is not None:
        action = request.action
        document.update(
            case=action.case_id,
            stop=action.pk,
            kind=action.kind,
            status=action.status,
            reference=action.reference,
            performed_at=action.performed_at,
            failure_code=action.failure_code,
            failure_reason=action.failure_reason,
        )
    elif request.freeze_request is not None:
        freeze = request.freeze_request
        document.update(case=freeze.case_id, freeze_request=freeze.pk, status=freeze.answer)
        if freeze.answer == FreezeAnswer.REFUSED:
            document.update(failure_code=code, failure_reason=reason)
    else:
        assert request.freeze_case is not None
        frozen = request.freeze_case
        document.update(
            freeze_case=frozen.pk,
            status=frozen.status,
            reference=frozen.stop_reference,
            performed_at=frozen.frozen_at,
        )
        if frozen.stop_failure:
            document.update(failure_code=code, failure_reason=reason)
    return document
