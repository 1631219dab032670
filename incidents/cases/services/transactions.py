"""The unauthorized transactions of a case, and what came back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from incidents.cases.channels import transfer_only_errors
from incidents.cases.edits import EditStamp, case_edit, case_unchanged
from incidents.cases.services.drafts import _write_fields
from incidents.cases.services.timeline import in_bank_language, timeline_record
from incidents.cases.signals import case_changed
from incidents.models import (
    Case,
    ReportedItem,
    UnauthorizedTransaction,
    User,
)
from incidents.models.choices import (
    EventKind,
)

TRANSACTION_FIELDS = (
    "occurred_at",
    "account_branch",
    "account_number",
    "channel",
    "amount",
    "fee",
    "interest",
    "location",
    "payee_bank",
    "payee_branch",
    "payee_account_number",
    "payee_account_name",
)


class TransactionRefused(ValueError):
    """A transaction row carries what its channel does not (a payee on a withdrawal)."""

    def __init__(self, errors: Mapping[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


def case_save_transactions(
    *,
    case: Case,
    user: User,
    rows: Iterable[Mapping[str, Any]],
    stamp: EditStamp | None = None,
) -> list[UnauthorizedTransaction]:
    """Create, update or delete the case's unauthorized transactions from form rows."""
    with case_edit(case=case, user=user, stamp=stamp, action="transactions") as current:
        existing = {tx.pk: tx for tx in UnauthorizedTransaction.objects.filter(case=current)}
        item_ids = set(ReportedItem.objects.filter(case=current).values_list("pk", flat=True))
        kept = []
        for row in rows:
            pk = row.get("id")
            tx = existing.get(pk) if pk else None
            if row.get("DELETE"):
                if tx is not None:
                    tx.delete()
                continue
            if row.get("item") not in item_ids:
                raise ValueError("transaction names an item of another case")
            recovered = tx.recovered_amount if tx is not None else 0
            refused = transfer_only_errors(
                channel=row.get("channel"), values={**row, "recovered_amount": recovered}
            )
            if refused:
                raise TransactionRefused(refused)
            if tx is None:
                tx = UnauthorizedTransaction(case=current)
            tx.item_id = row["item"]
            for name in TRANSACTION_FIELDS:
                value = row.get(name)
                setattr(
                    tx,
                    name,
                    value if value is not None else ("" if name not in ("fee", "interest") else 0),
                )
            tx.save()
            kept.append(tx)
        _write_fields(case=current, user=user, step="transactions", fields={})
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.STEP_SAVED,
            data={
                "step": "transactions",
                "count": len(kept),
                "total": sum(t.claimed for t in kept),
            },
        )
    case_changed.send(sender=Case, case=case, user=user)
    return kept


class RecoveryError(Exception):
    """The recovered amount cannot be recorded (more than the transaction's amount, a draft)."""


def transaction_record_recovery(
    *,
    case: Case,
    transaction_id: int,
    user: User,
    amount: int,
    stamp: EditStamp | None = None,
) -> UnauthorizedTransaction:
    """Record how much of a transaction came back (組戻し等); refuse a stale edit.

    The case's version guards the form as every other edit of the case does: a figure typed on a
    page opened before someone else's change is refused with StaleCaseError, never overwriting it.
    """
    with case_edit(case=case, user=user, stamp=stamp, action="recovery") as current:
        if current.is_draft:
            raise RecoveryError("a draft's transactions are edited in the intake")
        tx = UnauthorizedTransaction.objects.select_for_update().get(
            pk=transaction_id, case=current
        )
        refused = transfer_only_errors(channel=tx.channel, values={"recovered_amount": amount})
        if refused:
            raise RecoveryError(refused["recovered_amount"])
        if not 0 <= amount <= tx.amount:
            raise RecoveryError(f"{amount} is outside 0–{tx.amount}")
        if tx.recovered_amount == amount:
            case_unchanged(current)
            return tx
        before = tx.recovered_amount
        tx.recovered_amount = amount
        tx.save(update_fields=["recovered_amount"])
        timeline_record(
            case=current,
            actor=user,
            kind=EventKind.RECOVERY_RECORDED,
            message=f"{in_bank_language(tx.get_channel_display)} {tx.amount:,}円：回収額 {before:,}円 → {amount:,}円",
            data={"transaction": tx.pk, "from": before, "to": amount},
        )
    case_changed.send(sender=Case, case=current, user=user)
    return tx
