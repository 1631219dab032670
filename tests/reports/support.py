"""Builders for the reports and links tests: cases with chosen holders, dates and transactions,
decided through the same services the pages call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from compensation import services as compensation
from compensation.models import CaseAssessment
from incidents.cases import services
from incidents.models import Case, User
from incidents.models.choices import ActionStatus
from tests.compensation.support import fresh

TOKYO = ZoneInfo("Asia/Tokyo")
CHANNEL = {
    ("cash_card", "stolen"): "atm_withdrawal",
    ("cash_card", "lost"): "atm_withdrawal",
    ("cash_card", "counterfeit"): "atm_withdrawal",
    ("passbook", "stolen"): "counter_withdrawal",
    ("passbook", "lost"): "counter_withdrawal",
    ("online_banking", "credentials_stolen"): "online_transfer",
}


def jst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Japan time."""
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


def report(
    teller: User,
    *,
    transactions: list[dict],
    items: Sequence[tuple[str, str]] = (("cash_card", "stolen"),),
    customer_number: str = "100001",
    customer_type: str = "individual",
    notified_at: datetime | None = None,
    name: str = "山田 太郎",
    submit: bool = True,
) -> Case:
    """A submitted case with the given items and transactions (each a dict with ``at``,
    ``amount`` and optionally ``item`` (index), ``recovered``, ``location``, ``payee``)."""
    branch = teller.branch
    assert branch is not None, "a teller works at a branch"
    latest = max(row["at"] for row in transactions) if transactions else jst(2025, 5, 1)
    notified_at = notified_at or latest + timedelta(days=1)
    case, _created = services.case_start_draft(
        user=teller,
        token=uuid.uuid4(),
        fields={"channel": "counter", "reporter_relation": "self", "notified_at": notified_at},
    )
    services.case_update(
        case=case,
        user=teller,
        step="customer",
        fields={
            "customer_number": customer_number,
            "customer_type": customer_type,
            "customer_name": name,
            "customer_name_kana": "ヤマダ タロウ",
        },
    )
    first_day: date = (
        min(row["at"] for row in transactions).astimezone(TOKYO).date()
        if transactions
        else notified_at.date()
    )
    saved = services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": kind,
                "state": state,
                "account_branch": branch.code,
                "account_number": "1234567",
                "occurred_on": first_day - timedelta(days=1),
                "noticed_on": first_day,
            }
            for kind, state in items
        ],
    )
    rows = []
    for row in transactions:
        item = saved[row.get("item", 0)]
        payee = row.get("payee", ("", "", "", ""))
        rows.append(
            {
                "item": item.pk,
                "occurred_at": row["at"],
                "account_branch": branch.code,
                "account_number": "1234567",
                "channel": row.get("channel", CHANNEL[(item.kind, item.state)]),
                "amount": row["amount"],
                "fee": row.get("fee", 0),
                "interest": 0,
                "location": row.get("location", ""),
                "payee_bank": payee[0],
                "payee_branch": payee[1],
                "payee_account_number": payee[2],
                "payee_account_name": payee[3],
            }
        )
    txs = services.case_save_transactions(case=case, user=teller, rows=rows)
    services.case_update(
        case=case,
        user=teller,
        step="police",
        fields={
            "police_status": "filed",
            "police_station": "丸の内警察署",
            "police_filed_on": notified_at.astimezone(TOKYO).date(),
            "police_receipt_number": "R-1",
        },
    )
    for action in case.actions.filter(status=ActionStatus.PROPOSED):
        services.action_perform(action=action, user=teller)
    if submit:
        case = services.case_submit(case_id=case.pk, user=teller)
        for tx, row in zip(txs, transactions, strict=True):
            if row.get("recovered"):
                services.transaction_record_recovery(
                    case=case, transaction_id=tx.pk, user=teller, amount=row["recovered"]
                )
    return Case.objects.get(pk=case.pk)


def decide(case: Case, *, preparer: User, supervisor: User, approver: User, fault: str = "none"):
    """Confirm every item's fault as given and approve: none → full, negligence → partial (75%
    for a stolen card), gross_negligence → nothing. A decided case is decided again (the new
    approval supersedes the one in force)."""
    with transaction.atomic():  # as in a request (ATOMIC_REQUESTS): the services lock rows
        return _decide(case, preparer, supervisor, approver, fault)


def _decide(case: Case, preparer: User, supervisor: User, approver: User, fault: str):
    # The findings first, then the submission: what is approved is what was submitted.
    redecided = fresh(case).status == "decided"
    for item in fresh(case).items.all():
        if item.rules_kind:
            compensation.item_fault_confirm(
                case=fresh(case), item=item, user=supervisor, fault=fault, reason="試験のため"
            )
    if redecided:
        decision = compensation.decision_submit(case=fresh(case), user=supervisor, note="再決定")
    else:
        decision = compensation.decision_submit(case=fresh(case), user=preparer)
    reviewer = approver if decision.prepared_by_id != approver.pk else supervisor
    return compensation.decision_approve(decision=decision, user=reviewer)


def taken_by(case: Case, relation: str) -> None:
    """The supervisor found who took the money."""
    CaseAssessment.objects.update_or_create(case=case, defaults={"taken_by": relation})
