"""The monitoring center's after-hours call: a numbered preliminary case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.cases.services.drafts import _next_case_number
from incidents.cases.services.items import case_save_items
from incidents.cases.services.stops import emergency_stops_perform
from incidents.cases.services.timeline import timeline_record
from incidents.cases.signals import case_submitted
from incidents.models import (
    Branch,
    Case,
    User,
)
from incidents.models.choices import (
    CaseStatus,
    Channel,
    EventKind,
)


class BranchNotFoundError(Exception):
    """No branch has the account's three-digit branch code."""


@transaction.atomic
def case_open_preliminary(
    *,
    user: User,
    token: UUID,
    fields: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    stop: bool = True,
) -> tuple[Case, bool]:
    """Open an after-hours preliminary case (仮受付) from a call, numbered at the account's branch.

    The branch is the one whose code the first item's account carries. With ``stop``, the
    emergency stops (card, passbook payment, online banking) are carried out at once. Sends
    case_submitted with the case in status preliminary. The token makes a resent form a no-op:
    posts of one form racing each other (a double click, a retried call) all land on the one
    case, the unique token deciding, and the losers take no number.
    """
    existing = Case.objects.filter(intake_token=token).first()
    if existing is not None:
        return existing, False
    rows = [dict(row) for row in items]
    code = next((row["account_branch"] for row in rows if row.get("account_branch")), "")
    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        raise BranchNotFoundError(code)
    now = timezone.now()
    case = Case(
        branch=branch,
        created_by=user,
        intake_token=token,
        after_hours=True,
        channel=Channel.PHONE,
        notified_at=now,
        status=CaseStatus.PRELIMINARY,
        intake_step="preliminary",
        submitted_at=now,
        submitted_by=user,
    )
    for name, value in fields.items():
        setattr(case, name, value)
    try:
        with transaction.atomic():
            case.year, case.sequence, case.number = _next_case_number(case)
            case.save()
    except IntegrityError:
        existing = Case.objects.filter(intake_token=token).first()
        if existing is None:
            raise
        return existing, False
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.PRELIMINARY,
        message=f"受付番号 {case.number} で時間外に仮受付しました（{branch.name}へ引継ぎ）",
        data={"number": case.number},
    )
    item_rows = [
        {
            "kind": row["kind"],
            "state": row["state"],
            "account_branch": row.get("account_branch", ""),
            "account_number": row.get("account_number", ""),
            "note": row.get("note", ""),
        }
        for row in rows
    ]
    case_save_items(case=case, user=user, rows=item_rows)
    if stop:
        emergency_stops_perform(case=case, user=user)
    case.refresh_from_db()
    case_submitted.send(sender=Case, case=case, user=user)
    return case, True
