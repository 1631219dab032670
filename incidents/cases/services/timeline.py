"""The case's timeline, written in the bank's language; looks and prints."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import translation

from incidents.cases.signals import TimelineLine, timeline_written
from incidents.models import (
    Case,
    CaseAccess,
    TimelineEvent,
    User,
)
from incidents.models.choices import (
    EventKind,
)


def bank_language() -> translation.override:
    """The timeline, decisions and notices are the bank's record, not a screen: they are written
    in the institution's language whoever is signed in (``with bank_language(): ...``)."""
    return translation.override(settings.LANGUAGE_CODE)


def in_bank_language(label) -> str:
    """A label (lazy, or a callable giving one) as the bank's record says it."""
    with bank_language():
        return str(label() if callable(label) else label)


def timeline_record(
    *, case: Case, actor: User | None, kind: str, message: str = "", data: Mapping | None = None
) -> TimelineEvent:
    """Append an event to the case's timeline (callers compose ``message`` in Japanese)."""
    event = TimelineEvent.objects.create(
        case=case, actor=actor, kind=kind, message=message, data=dict(data or {})
    )
    timeline_written.send(
        sender=TimelineEvent, lines=[TimelineLine(case_id=case.pk, kind=kind, data=event.data)]
    )
    return event


def case_access_record(*, case: Case, user: User, view: str, path: str) -> CaseAccess:
    """Note that a member of staff looked at a case (閲覧記録, append-only)."""
    return CaseAccess.objects.create(case=case, user=user, view=view, path=path[:200])


def record_access_record(*, record: str, user: User, view: str, path: str) -> CaseAccess:
    """Note that a member of staff looked at a record kept beside the cases (a freeze case), on
    the same access log; ``record`` names it in the bank's language."""
    return CaseAccess.objects.create(record=record[:60], user=user, view=view, path=path[:200])


def case_receipt_printed(*, case: Case, user: User, key: UUID | None) -> bool:
    """Note on the timeline that the receipt was printed, once per press of the print button
    (each press carries its own key; a post without one is not a press)."""
    if key is None:
        return False
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if TimelineEvent.objects.filter(
            case=case, kind=EventKind.RECEIPT_PRINTED, data__key=str(key)
        ).exists():
            return False
        timeline_record(
            case=case,
            actor=user,
            kind=EventKind.RECEIPT_PRINTED,
            data={"key": str(key)},
        )
    return True
