"""The one guarded path of every write that changes a case.

Every form that changes a case carries two hidden fields: the case's ``version`` it was rendered
from, and an ``edit_key`` made for that one rendering. ``case_edit`` locks the case row, then

* finds the key among the edits already applied: the same form posted again (a double click, the
  back button, a resent request) changes nothing (EditReplayed, which the view treats as done);
  the same key with different content is a stale form;
* refuses a version other than the case's own (StaleCaseError: someone else saved meanwhile, the
  view shows the newer values and keeps what was typed);
* runs the write, raises the case's version once, and records the edit with its key (a unique
  constraint backs the lookup, so two posts racing past it cannot both commit).

Code that is not a form (seeding, tasks, tests building data) passes no stamp: the case is still
locked, versioned and the edit recorded, without a version to compare.

The same primitives guard any other versioned row: ``row_edit`` over a ``VersionedRows`` (the
row's model, the model of its applied edits), with ``stamp_check`` the one rule both follow
(compensation's freeze cases: compensation.services.freeze_guard).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incidents.models import Case, CaseEdit, User
from incidents.models.choices import CaseStatus

VERSION_FIELD = "version"
KEY_FIELD = "edit_key"
# Fields that say which rendering a post came from, not what it asks for.
UNSTAMPED_FIELDS = frozenset({"csrfmiddlewaretoken", VERSION_FIELD, KEY_FIELD})
_VERSION_RE = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class EditStamp:
    """What a posted form says about the case it was rendered from."""

    version: int | None
    key: uuid.UUID | None = None
    digest: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> EditStamp:
        """The stamp of a posted form; a missing or malformed version compares as stale."""
        data = request.POST
        raw_version = data.get(VERSION_FIELD, "")
        version = int(raw_version) if _VERSION_RE.fullmatch(raw_version) else None
        try:
            key: uuid.UUID | None = uuid.UUID(data.get(KEY_FIELD, ""))
        except (ValueError, TypeError, AttributeError):
            key = None
        return cls(version=version, key=key, digest=payload_digest(request))


def payload_digest(request: HttpRequest) -> str:
    """A digest of what a post asks for (its fields and files), without its stamp."""
    digest = hashlib.sha256()
    data = request.POST
    for name in sorted(data):
        if name in UNSTAMPED_FIELDS:
            continue
        for value in data.getlist(name):
            digest.update(f"{name}\x1f{value}\x1e".encode("utf-8", "surrogatepass"))
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(
                f"{name}\x1f{upload.name}\x1f{upload.size}\x1e".encode("utf-8", "replace")
            )
    return digest.hexdigest()


def form_replayed(request: HttpRequest, case: Case) -> bool:
    """Whether this post is a form already applied to the case (same key, same content): a view
    whose checks depend on the case's state asks first, so a double click lands where the first
    click did instead of being refused by the state the first click produced."""
    if request.method != "POST":
        return False
    stamp = EditStamp.from_request(request)
    return (
        stamp.key is not None
        and CaseEdit.objects.filter(case=case, key=stamp.key, digest=stamp.digest).exists()
    )


# What a member of staff reads when their form is refused as stale: a form that saves, and a
# button that acts (claim, withdraw, approve…). The form comes back with what they typed.
STALE_MESSAGE = gettext_lazy(
    "この届出は、画面を開いた後に他の職員が更新しました。最新の内容を表示しています。"
    "確認のうえ、必要ならもう一度保存してください。"
)
STALE_ACTION_MESSAGE = gettext_lazy(
    "この事故は、画面を開いた後に他の職員が更新しました。最新の内容を表示しています。"
    "確認のうえ、必要ならもう一度操作してください。"
)


def stale_refusal(request: HttpRequest, error: StaleCaseError, newer=()) -> dict:
    """Refuse a stale save: keep what was typed, show what the other member of staff saved, and
    render the form again on the case's current version (saving again is then a choice)."""
    messages.error(request, STALE_MESSAGE)
    return {"newer_values": list(newer), "version": error.current.version}


def newer_field_values(form, current: Case, names) -> list[tuple[str, object]]:
    """(label, value now stored) of a form's fields, to show beside what was typed."""
    return [
        (form.fields[name].label, getattr(current, name)) for name in names if name in form.fields
    ]


TOKEN_FIELD = "intake_token"  # noqa: S105 - a form field name, not a secret
MISSING_TOKEN_MESSAGE = gettext_lazy(
    "この画面は正しく送信されませんでした（受付キーがありません）。"
    "入力した内容を確認のうえ、もう一度送信してください。"
)


def posted_token(request: HttpRequest) -> uuid.UUID | None:
    """The one-time token of a form that opens a case (the first step, an after-hours call):
    posted twice, it opens one case. None when the form came without a valid one."""
    try:
        return uuid.UUID(request.POST.get(TOKEN_FIELD, ""))
    except (ValueError, TypeError, AttributeError):
        return None


def new_edit_key() -> uuid.UUID:
    """A fresh key for one rendering of a form."""
    return uuid.uuid4()


class StaleCaseError(Exception):
    """Someone else saved the row after this form was opened (or the form is not a fresh one).

    Raised for a case and, through ``row_edit``, for any other versioned row (``current`` is the
    locked row as it stands)."""

    def __init__(self, current: Any):
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")
        self.current = current


class EditReplayed(Exception):
    """This very form was applied already: nothing is done twice."""

    def __init__(self, edit: Any):
        super().__init__(f"form {edit.key} was applied as v{edit.version}")
        self.edit = edit


@dataclass(frozen=True)
class VersionedRows:
    """A kind of row written through the guarded path: ``model`` has a ``version`` column;
    ``edits`` is the model of its applied edits (``key``, ``user``, ``action``, ``version``,
    ``digest``, unique per row and key) whose foreign key to the row is ``owner``."""

    model: type[models.Model]
    edits: type[models.Model]
    owner: str

    def earlier(self, pk: int, key: uuid.UUID) -> Any:
        """The edit already applied to row ``pk`` under the form key ``key``, if any."""
        return self.edits._default_manager.filter(**{f"{self.owner}_id": pk, "key": key}).first()


CASES = VersionedRows(model=Case, edits=CaseEdit, owner="case")


def stamp_check(*, rows: VersionedRows, current: Any, stamp: EditStamp | None) -> None:
    """The one rule of a stamped write on a locked row: the same form again is EditReplayed, the
    same key with other content or another version than the row's is StaleCaseError."""
    if stamp is None:
        return
    if stamp.key is not None:
        earlier = rows.earlier(current.pk, stamp.key)
        if earlier is not None:
            if earlier.digest == stamp.digest:
                raise EditReplayed(earlier)
            raise StaleCaseError(current)
    if stamp.version is None or stamp.version != current.version:
        raise StaleCaseError(current)


def row_edit_record(
    *,
    rows: VersionedRows,
    row: Any,
    user: User | None,
    stamp: EditStamp | None,
    action: str,
    also: dict[str, Any] | None = None,
) -> Any:
    """Raise the locked row's version once (and set ``also``), record the edit under the form's
    key; the row object gets the stored values."""
    changes = {"version": F("version") + 1, **(also or {})}
    rows.model._default_manager.filter(pk=row.pk).update(**changes)
    stored = rows.model._default_manager.values(*changes).get(pk=row.pk)
    for name, value in stored.items():
        setattr(row, name, value)
    return rows.edits._default_manager.create(
        **{rows.owner: row},
        key=(stamp.key if stamp is not None and stamp.key is not None else new_edit_key()),
        user=user,
        action=action[:40],
        version=row.version,
        digest=stamp.digest if stamp is not None else "",
    )


@contextmanager
def row_edit(
    *, rows: VersionedRows, row: Any, user: User | None, stamp: EditStamp | None, action: str
) -> Iterator[Any]:
    """Lock, check and version one write to any versioned row: ``with row_edit(...) as current``.

    The body works on ``current`` (the locked row); the row passed in gets the new version.
    """
    with transaction.atomic():
        current: Any = rows.model._default_manager.select_for_update().get(pk=row.pk)
        stamp_check(rows=rows, current=current, stamp=stamp)
        yield current
        if not getattr(current, "_edit_unchanged", False):
            row_edit_record(rows=rows, row=current, user=user, stamp=stamp, action=action)
    if row is not current:
        row.version = current.version


def case_lock(*, case_id: int, stamp: EditStamp | None, merged_ok: bool = False) -> Case:
    """Lock the case row and check the stamp; raises EditReplayed or StaleCaseError.

    A case merged into another is read-only (incidents.cases.services.merge): a write to it is
    refused as stale (the page it came from no longer offers it), except the merge's own undo.
    """
    current = Case.objects.select_for_update().get(pk=case_id)
    if current.status == CaseStatus.MERGED and not merged_ok:
        if stamp is not None and stamp.key is not None:
            earlier = CASES.earlier(case_id, stamp.key)
            if earlier is not None and earlier.digest == stamp.digest:
                raise EditReplayed(earlier)
        raise StaleCaseError(current)
    stamp_check(rows=CASES, current=current, stamp=stamp)
    return current


def case_edit_record(
    *, case: Case, user: User | None, stamp: EditStamp | None, action: str
) -> CaseEdit:
    """Raise the locked case's version once and record the edit under the form's key."""
    return row_edit_record(
        rows=CASES,
        row=case,
        user=user,
        stamp=stamp,
        action=action,
        also={"updated_at": timezone.now()},
    )


@contextmanager
def case_edit(
    *,
    case: Case | int,
    user: User | None,
    stamp: EditStamp | None,
    action: str,
    merged_ok: bool = False,
) -> Iterator[Case]:
    """Lock, check and version one write to a case: ``with case_edit(...) as current: ...``.

    The body works on ``current`` (the locked row); the case passed in gets the new version.
    """
    case_id = case if isinstance(case, int) else case.pk
    with transaction.atomic():
        current = case_lock(case_id=case_id, stamp=stamp, merged_ok=merged_ok)
        yield current
        if not getattr(current, "_edit_unchanged", False):
            case_edit_record(case=current, user=user, stamp=stamp, action=action)
    if isinstance(case, Case) and case is not current:
        case.version, case.updated_at = current.version, current.updated_at


def case_unchanged(case: Case) -> None:
    """Inside ``case_edit``: this write turned out to change nothing (already done, same value),
    so the case keeps its version and no edit is recorded."""
    case._edit_unchanged = True  # type: ignore[attr-defined]


def case_answered(case: Case) -> None:
    """Inside ``case_edit``: this write records the core's confirmation, which no member of staff
    typed and no form edits: the case shows as changed (``updated_at``, which the API's list of
    changes follows) but keeps its version, so a form open on it (the teller's next intake step)
    does not go stale; each form's own write checks the rows it changes under the lock."""
    case_unchanged(case)
    case.updated_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at)
