"""Merging a duplicate report into the surviving case, and undoing it (docs/domain.md §6.1).

The same theft is often reported twice (the monitoring center's night call, the customer's visit
next morning). A supervisor of the branch merges the duplicate into the case that goes on: its
items with their stops and transactions, and its deadlines, move to the survivor; its timeline and
documents, append-only, stay where they were written and the survivor's page shows them with its
own. The duplicate keeps its number, read-only, in status 統合済 with a link to the survivor.
``CaseMerge`` records the ids of every row that moved, so an undo moves back exactly those.
"""

from __future__ import annotations

from contextlib import ExitStack

import pghistory
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pghistory.models import Event

from incidents.access.predicates import may_merge
from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.merge_rules import (
    SURVIVOR_STATUSES,
    decided_ever,
    same_customer,
)
from incidents.cases.services.drafts import case_search_text
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.cases.signals import case_changed
from incidents.models import (
    Case,
    CaseMerge,
    Deadline,
    ProtectiveAction,
    ReportedItem,
    UnauthorizedTransaction,
    User,
)
from incidents.models.choices import (
    DUPLICATE_STATUSES,
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineState,
    EventKind,
)


class MergeError(Exception):
    """A merge or an undo that may not be done; the message says why."""


def merge_refusal(*, user: User, survivor: Case, duplicate: Case) -> str | None:
    """Why ``duplicate`` may not be merged into ``survivor`` by ``user``; None if it may."""
    if survivor.pk == duplicate.pk:
        return _("同じ事故どうしは統合できません。")
    for case in (survivor, duplicate):
        if not may_merge(user, case):
            return _("統合できるのは、両方の事故の店舗の役席だけです。")
    if survivor.status not in SURVIVOR_STATUSES:
        return _("統合先の事故は、決定済み・完了・取下げ・統合済みのため統合できません。")
    if duplicate.status not in DUPLICATE_STATUSES:
        return _("統合する事故は、審査中・決定済み・完了・取下げ・統合済みのため統合できません。")
    if not same_customer(survivor, duplicate):
        return _("同じお客さまの届出ではないため統合できません。")
    if decided_ever(survivor) or decided_ever(duplicate):
        # Back in review for a change, a decided case still rests on its facts as decided.
        return _("補償の決定が済んだことのある事故は統合できません。")
    return None


def _locked_pair(*, stack: ExitStack, user: User, first: Case, second: Case, stamp, other_version,
                 action: str) -> tuple[Case, Case]:  # fmt: skip
    """Lock both cases through the guarded path, lower id first (two merges never deadlock);
    ``stamp`` carries the first case's version, ``other_version`` the second's, one key for both."""
    stamps: dict[int, EditStamp | None] = {first.pk: stamp, second.pk: None}
    if stamp is not None:
        stamps[second.pk] = EditStamp(version=other_version, key=stamp.key, digest=stamp.digest)
    locked = {}
    for case in sorted((first, second), key=lambda c: c.pk):
        locked[case.pk] = stack.enter_context(
            case_edit(case=case, user=user, stamp=stamps[case.pk], action=action, merged_ok=True)
        )
    return locked[first.pk], locked[second.pk]


def case_merge(
    *,
    survivor: Case,
    duplicate: Case,
    user: User,
    stamp: EditStamp | None = None,
    duplicate_version: int | None = None,
) -> CaseMerge:
    """Merge ``duplicate`` into ``survivor``: its items, stops, transactions and deadlines move,
    it becomes 統合済 with a link; both timelines say so. Raises MergeError, StaleCaseError or
    EditReplayed (the same form twice merges once)."""
    with transaction.atomic(), ExitStack() as stack:
        into, dup = _locked_pair(
            stack=stack,
            user=user,
            first=survivor,
            second=duplicate,
            stamp=stamp,
            other_version=duplicate_version,
            action="merge",
        )
        refusal = merge_refusal(user=user, survivor=into, duplicate=dup)
        if refusal:
            raise MergeError(refusal)
        # The survivor's change history names where its new rows came from (audit.selectors).
        with pghistory.context(merged_from=dup.number):
            moved = _move_rows(survivor=into, duplicate=dup)
        merge = CaseMerge.objects.create(
            survivor=into, merged=dup, merged_by=user, previous_status=dup.status, moved=moved
        )
        Case.objects.filter(pk=dup.pk).update(status=CaseStatus.MERGED, merged_into=into)
        dup.status, dup.merged_into = CaseStatus.MERGED, into
        _refresh_search(into, dup)
        timeline_record(
            case=into,
            actor=user,
            kind=EventKind.MERGED,
            message=f"重複した届出 受付番号 {dup.number} を統合しました",
            data={"merge": merge.pk, "merged": dup.pk, "number": dup.number},
        )
        timeline_record(
            case=dup,
            actor=user,
            kind=EventKind.MERGED,
            message=f"受付番号 {into.number} に統合しました（この届出は読み取り専用になりました）",
            data={"merge": merge.pk, "survivor": into.pk, "number": into.number},
        )
        case_changed.send(sender=Case, case=into, user=user)
    for case, current in ((survivor, into), (duplicate, dup)):
        case.status, case.merged_into_id = current.status, current.merged_into_id
    return merge


def _move_rows(*, survivor: Case, duplicate: Case) -> dict:
    """Move the duplicate's rows to the survivor; the ids moved (and what changed in them)."""
    last = ReportedItem.objects.filter(case=survivor).aggregate(top=Max("position"))["top"] or 0
    items = list(ReportedItem.objects.filter(case=duplicate).order_by("position", "pk"))
    for offset, item in enumerate(items, start=1):
        ReportedItem.objects.filter(pk=item.pk).update(case=survivor, position=last + offset)
    actions = list(ProtectiveAction.objects.filter(case=duplicate).values_list("pk", flat=True))
    ProtectiveAction.objects.filter(pk__in=actions).update(case=survivor)
    transactions = list(
        UnauthorizedTransaction.objects.filter(case=duplicate).values_list("pk", flat=True)
    )
    UnauthorizedTransaction.objects.filter(pk__in=transactions).update(case=survivor)
    owed = set(
        Deadline.objects.filter(case=survivor, state__in=UNMET_DEADLINE_STATES).values_list(
            "kind", flat=True
        )
    )
    moved_deadlines, cancelled = [], []
    for deadline in Deadline.objects.filter(case=duplicate):
        if deadline.is_unmet and deadline.kind in owed:
            # The survivor already owes the same thing: the duplicate's copy is cancelled (and
            # given back its state by an undo), so nothing is chased twice.
            cancelled.append(
                [
                    deadline.pk,
                    deadline.state,
                    deadline.next_action_at.isoformat() if deadline.next_action_at else None,
                ]
            )
            Deadline.objects.filter(pk=deadline.pk).update(
                state=DeadlineState.CANCELLED, next_action_at=None
            )
        else:
            moved_deadlines.append(deadline.pk)
    Deadline.objects.filter(pk__in=moved_deadlines).update(case=survivor)
    return {
        "items": [[item.pk, item.position] for item in items],
        "actions": actions,
        "transactions": transactions,
        "deadlines": moved_deadlines,
        "cancelled_deadlines": cancelled,
    }


def _refresh_search(*cases: Case) -> None:
    for case in cases:
        Case.objects.filter(pk=case.pk).update(search_text=case_search_text(case=case))


def undo_refusal(*, user: User, merge: CaseMerge) -> str | None:
    """Why ``merge`` may not be undone by ``user``; None if it may."""
    if merge.undone_at is not None:
        return _("この統合はすでに取り消されています。")
    survivor, duplicate = merge.survivor, merge.merged
    for case in (survivor, duplicate):
        if not may_merge(user, case):
            return _("統合を取り消せるのは、両方の事故の店舗の役席だけです。")
    if decided_ever(survivor):
        return _("統合先の事故は補償の決定が済んでいるため、統合を取り消せません。")
    if survivor.status == CaseStatus.MERGED:
        # Its rows, these among them, now hang on the case it was merged into: undone here, the
        # merged case would come back empty. The later merge is undone first.
        return _(
            "統合先の事故がさらに別の事故に統合されているため、取り消せません。"
            "先にその統合を取り消してください。"
        )
    return None


def _added_since(moved: dict, survivor: Case) -> bool:
    """Whether a row written on the survivor after the merge hangs on a moved item or
    transaction (a new stop, a finding): moving those back would split it from what it is about."""
    item_ids = [pk for pk, _position in moved.get("items", [])]
    own: dict[type[models.Model], set] = {
        ProtectiveAction: set(moved.get("actions", [])),
        UnauthorizedTransaction: set(moved.get("transactions", [])),
    }
    for parent, ids in ((ReportedItem, item_ids), (UnauthorizedTransaction, moved.get("transactions", []))):  # fmt: skip
        if not ids:
            continue
        for relation in parent._meta.related_objects:
            model = relation.related_model
            if issubclass(model, Event):
                continue  # the history of the rows themselves, append-only
            if not any(f.name == "case" for f in model._meta.get_fields()):
                continue
            rows = model._default_manager.filter(
                **{f"{relation.field.name}__in": ids, "case_id": survivor.pk}
            ).exclude(pk__in=own.get(model, ()))
            if rows.exists():
                return True
    return False


def case_merge_undo(
    *,
    merge: CaseMerge,
    user: User,
    stamp: EditStamp | None = None,
    duplicate_version: int | None = None,
) -> CaseMerge:
    """Give the merged case back exactly the rows that came from it, and its status; both
    timelines say so. ``stamp`` is the survivor's form's. Raises MergeError, StaleCaseError or
    EditReplayed."""
    with transaction.atomic(), ExitStack() as stack:
        into, dup = _locked_pair(
            stack=stack,
            user=user,
            first=merge.survivor,
            second=merge.merged,
            stamp=stamp,
            other_version=duplicate_version,
            action="merge_undo",
        )
        merge = CaseMerge.objects.select_for_update().get(pk=merge.pk)
        merge.survivor, merge.merged = into, dup
        refusal = undo_refusal(user=user, merge=merge)
        if refusal:
            raise MergeError(refusal)
        moved = merge.moved
        if _added_since(moved, into):
            raise MergeError(
                _(
                    "統合後に、統合した届出の対象について措置や認定が記録されたため、"
                    "統合を取り消せません。"
                )
            )
        for pk, position in moved.get("items", []):
            ReportedItem.objects.filter(pk=pk, case=into).update(case=dup, position=position)
        ProtectiveAction.objects.filter(pk__in=moved.get("actions", []), case=into).update(case=dup)
        UnauthorizedTransaction.objects.filter(
            pk__in=moved.get("transactions", []), case=into
        ).update(case=dup)
        Deadline.objects.filter(pk__in=moved.get("deadlines", []), case=into).update(case=dup)
        for pk, state, next_action_at in moved.get("cancelled_deadlines", []):
            Deadline.objects.filter(pk=pk, case=dup).update(
                state=state, next_action_at=next_action_at
            )
        Case.objects.filter(pk=dup.pk).update(status=merge.previous_status, merged_into=None)
        dup.status, dup.merged_into = merge.previous_status, None
        merge.undone_at, merge.undone_by = timezone.now(), user
        merge.save(update_fields=["undone_at", "undone_by"])
        _refresh_search(into, dup)
        label = in_bank_language(CaseStatus(merge.previous_status).label)
        timeline_record(
            case=into,
            actor=user,
            kind=EventKind.MERGE_UNDONE,
            message=f"受付番号 {dup.number} の統合を取り消しました",
            data={"merge": merge.pk, "merged": dup.pk},
        )
        timeline_record(
            case=dup,
            actor=user,
            kind=EventKind.MERGE_UNDONE,
            message=f"受付番号 {into.number} への統合を取り消しました（状態：{label}）",
            data={"merge": merge.pk, "survivor": into.pk},
        )
        case_changed.send(sender=Case, case=into, user=user)
        case_changed.send(sender=Case, case=dup, user=user)
    return merge
