"""The guarded path of every write to a freeze case, and its timeline.

The case desk's primitives (incidents.cases.edits: the form's stamp, the lock, the version check,
the replay by form key, the recorded edit) applied to the freeze case's row: one rule in one
place, so a stale freeze form is refused and a form posted twice changes nothing, as on a case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compensation.models import FreezeCase, FreezeEdit, FreezeEvent
from compensation.selectors import remedy as read
from compensation.services.errors import DecisionError
from incidents.cases.edits import EditReplayed, EditStamp, StaleCaseError, VersionedRows, row_edit
from incidents.cases.services import record_access_record

FREEZES = VersionedRows(model=FreezeCase, edits=FreezeEdit, owner="freeze_case")

STALE_FREEZE_MESSAGE = gettext_lazy(
    "この口座凍結は、画面を開いた後に他の役席が更新しました。最新の内容を表示しています。"
    "入力した内容を確認のうえ、必要ならもう一度操作してください。"
)

__all__ = [
    "EditReplayed",
    "StaleFreezeError",
    "freeze_access_record",
    "freeze_edit",
    "freeze_event_record",
]


class StaleFreezeError(DecisionError):
    """The form was rendered from another version of the freeze case; ``current`` is the row now."""

    def __init__(self, current: FreezeCase) -> None:
        super().__init__([str(STALE_FREEZE_MESSAGE)])
        self.current = current


@contextmanager
def freeze_edit(
    *, freeze: FreezeCase, user: Any, stamp: EditStamp | None, action: str
) -> Iterator[FreezeCase]:
    """Lock, check and version one write to a freeze case by a supervisor of its branch:
    ``with freeze_edit(...) as current: ...``. Raises StaleFreezeError, EditReplayed (the same
    form again: the view treats it as done) or DecisionError (not the branch's supervisor)."""
    try:
        with row_edit(rows=FREEZES, row=freeze, user=user, stamp=stamp, action=action) as current:
            if not read.can_work_freeze(user, current):
                raise DecisionError([_("この口座凍結を操作できるのは担当店の役席です。")])
            yield current
    except StaleCaseError as stale:
        raise StaleFreezeError(stale.current) from None


def freeze_event_record(
    *,
    freeze: FreezeCase,
    actor: Any,
    kind: str,
    message: str = "",
    data: Mapping[str, Any] | None = None,
) -> FreezeEvent:
    """Append a line to the freeze case's timeline (callers compose ``message`` in Japanese)."""
    return FreezeEvent.objects.create(
        freeze_case=freeze, actor=actor, kind=kind, message=message, data=dict(data or {})
    )


def freeze_access_record(*, freeze: FreezeCase, user: Any, view: str, path: str) -> None:
    """Note on the case desk's access log that a member of staff read a freeze case."""
    record_access_record(record=read.freeze_record_name(freeze), user=user, view=view, path=path)
