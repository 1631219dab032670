"""The items a case reports, and the stops they call for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from incidents.cases.edits import EditStamp, case_edit
from incidents.cases.protection import elderly_policy_for
from incidents.cases.services.drafts import _write_fields
from incidents.cases.services.stops import _emergency_stops
from incidents.cases.services.timeline import timeline_record
from incidents.cases.signals import case_changed
from incidents.models import (
    Case,
    ProtectionPolicy,
    ProtectiveAction,
    ReportedItem,
    User,
)
from incidents.models.choices import (
    ActionKind,
    ActionStatus,
    EventKind,
    ItemKind,
    ItemState,
)

PROPOSED_STOPS: dict[tuple[str, str], tuple[str, ...]] = {
    (ItemKind.CASH_CARD, ItemState.STOLEN): (ActionKind.CARD_SUSPEND,),
    (ItemKind.CASH_CARD, ItemState.LOST): (ActionKind.CARD_SUSPEND,),
    (ItemKind.CASH_CARD, ItemState.COUNTERFEIT): (
        ActionKind.CARD_SUSPEND,
        ActionKind.CARD_REISSUE_IC,
    ),
    (ItemKind.PASSBOOK, ItemState.STOLEN): (ActionKind.PAYMENT_STOP, ActionKind.SEAL_CHECK),
    (ItemKind.PASSBOOK, ItemState.LOST): (ActionKind.PAYMENT_STOP, ActionKind.SEAL_CHECK),
    (ItemKind.SEAL, ItemState.STOLEN): (ActionKind.SEAL_CHANGE, ActionKind.PAYMENT_STOP),
    (ItemKind.SEAL, ItemState.LOST): (ActionKind.SEAL_CHANGE, ActionKind.PAYMENT_STOP),
    (ItemKind.ONLINE_BANKING, ItemState.CREDENTIALS_STOLEN): (
        ActionKind.IB_SUSPEND,
        ActionKind.IB_RESET,
    ),
    # Transfer fraud (docs/domain.md §9): ask the receiving bank to freeze, lower the limits.
    (ItemKind.TRANSFER_FRAUD, ItemState.DECEIVED): (
        ActionKind.RECEIVING_FREEZE,
        ActionKind.TRANSFER_LIMIT,
        ActionKind.ATM_LIMIT,
    ),
}
# Proposed for the whole case when the customer has reached the policy's age (docs/domain.md §10).
ELDERLY_STOPS = (ActionKind.ATM_LIMIT, ActionKind.TRANSFER_LIMIT)
ITEM_FIELDS = (
    "kind",
    "state",
    "id_document_kind",
    "account_branch",
    "account_number",
    "occurred_on",
    "noticed_on",
    "note",
)


def case_save_items(
    *,
    case: Case,
    user: User,
    rows: Iterable[Mapping[str, Any]],
    stamp: EditStamp | None = None,
) -> list[ReportedItem]:
    """Create, update or delete the case's reported items from form rows; re-propose the stops.

    A row is a mapping of item fields plus ``id`` (existing item or None) and ``DELETE``.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="items") as current:
        kept = _write_items(case=current, user=user, rows=rows)
    case_changed.send(sender=Case, case=case, user=user)
    return kept


def _write_items(
    *, case: Case, user: User, rows: Iterable[Mapping[str, Any]]
) -> list[ReportedItem]:
    kept: list[ReportedItem] = []
    existing = {item.pk: item for item in ReportedItem.objects.filter(case=case)}
    position = 0
    for row in rows:
        pk = row.get("id")
        item = existing.get(pk) if pk else None
        if row.get("DELETE"):
            if item is not None and not item.transactions.exists():
                item.delete()
            continue
        if item is None:
            item = ReportedItem(case=case)
        for name in ITEM_FIELDS:
            setattr(item, name, row.get(name) if row.get(name) is not None else _blank(name))
        item.position = position
        position += 1
        item.save()
        kept.append(item)
    actions_propose(case=case)
    _write_fields(case=case, user=user, step="items", fields={})
    timeline_record(
        case=case,
        actor=user,
        kind=EventKind.STEP_SAVED,
        data={"step": "items", "items": [str(item) for item in kept]},
    )
    return kept


def _blank(name: str):
    return None if name in ("occurred_on", "noticed_on") else ""


def _limit_yen(kind: str, policy: ProtectionPolicy) -> int | None:
    if kind == ActionKind.ATM_LIMIT:
        return policy.atm_limit_yen
    if kind == ActionKind.TRANSFER_LIMIT:
        return policy.transfer_limit_yen
    return None


def _account(item: ReportedItem) -> tuple[str, str] | None:
    return (item.account_branch, item.account_number) if item.account_number else None


def actions_propose(*, case: Case) -> list[ProtectiveAction]:
    """Make sure every stop the items (and the customer's age) call for exists; drop untouched
    proposals no longer called for.

    A payment stop stops an account, not an item: the passbook and the seal of one account call
    for one 支払停止, held by the item whose stop was already carried out, else the first item.
    """
    elderly = elderly_policy_for(case)
    policy = elderly or ProtectionPolicy.in_force(case.notified_on)
    items = list(ReportedItem.objects.filter(case=case).order_by("position", "pk"))
    by_pk = {item.pk: item for item in items}
    payment_holder: dict[tuple[str, str], int] = {}
    for action in ProtectiveAction.objects.filter(
        case=case, kind=ActionKind.PAYMENT_STOP, item__isnull=False
    ).exclude(status=ActionStatus.PROPOSED):
        holder = by_pk.get(action.item_id) if action.item_id is not None else None
        account = _account(holder) if holder is not None else None
        if holder is not None and account is not None:
            payment_holder.setdefault(account, holder.pk)
    wanted: set[tuple[int | None, str]] = set()
    for item in items:
        for kind in PROPOSED_STOPS.get((item.kind, item.state), ()):
            account = _account(item)
            if (
                kind == ActionKind.PAYMENT_STOP
                and account is not None
                and payment_holder.setdefault(account, item.pk) != item.pk
            ):
                continue  # the account's payment stop is another item's
            wanted.add((item.pk, kind))
            ProtectiveAction.objects.get_or_create(
                case=case, item=item, kind=kind, defaults={"limit_yen": _limit_yen(kind, policy)}
            )
    if elderly is not None:
        # Once for the customer: not again when an item already proposes the same lowering.
        proposed_kinds = {kind for _item, kind in wanted}
        for kind in ELDERLY_STOPS:
            if kind not in proposed_kinds:
                wanted.add((None, kind))
                ProtectiveAction.objects.get_or_create(
                    case=case,
                    item=None,
                    kind=kind,
                    defaults={"limit_yen": _limit_yen(kind, policy)},
                )
    for action in ProtectiveAction.objects.filter(case=case, status=ActionStatus.PROPOSED):
        if (action.item_id, action.kind) not in wanted:
            action.delete()
    return list(ProtectiveAction.objects.filter(case=case).select_related("item"))


def case_add_item(
    *,
    case: Case,
    user: User,
    fields: Mapping[str, Any],
    stamp: EditStamp | None = None,
    stop: bool = False,
) -> tuple[ReportedItem, list[ProtectiveAction]]:
    """Add a reported item to an existing case (a further card or passbook on a later call), and
    with ``stop`` carry out its emergency stops, in one guarded write: a form sent twice never
    adds the same card twice."""
    with case_edit(case=case, user=user, stamp=stamp, action="add_item") as current:
        position = ReportedItem.objects.filter(case=current).count()
        item = ReportedItem.objects.create(
            case=current,
            position=position,
            kind=fields["kind"],
            state=fields["state"],
            account_branch=fields.get("account_branch", ""),
            account_number=fields.get("account_number", ""),
            note=fields.get("note", ""),
        )
        actions_propose(case=current)
        _write_fields(case=current, user=user, step="items", fields={})
        timeline_record(case=current, actor=user, kind=EventKind.ITEM_ADDED, message=str(item))
        done = _emergency_stops(case=current, user=user) if stop else []
    case_changed.send(sender=Case, case=case, user=user)
    return item, done
