"""Builders for test data that go through the same services a teller's clicks do."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from incidents.cases import services
from incidents.models import Branch, Case, FreezeRequest, User
from incidents.models.choices import ActionStatus

PASSWORD = "correct-horse-battery-staple"


def branch(code: str, name: str) -> Branch:
    obj, _created = Branch.objects.get_or_create(
        code=code, defaults={"name": name, "phone": "03-0000-0000"}
    )
    return obj


def staff(username: str, role: str, home: Branch | None) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        branch=home,
        last_name=username.capitalize(),
        first_name="テスト",
        email=f"{username}@bank.example",
    )
    return user


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def today() -> date:
    return timezone.localdate()


def draft(teller: User, *, notified_at: datetime | None = None, **customer) -> Case:
    """A draft past its first two steps."""
    case, _created = services.case_start_draft(
        user=teller,
        token=uuid.uuid4(),
        fields={
            "channel": "counter",
            "reporter_relation": "self",
            "notified_at": notified_at or timezone.now(),
        },
    )
    fields = {
        "customer_number": "123456",
        "customer_type": "individual",
        "customer_name": "山田 太郎",
        "customer_name_kana": "ヤマダ タロウ",
        "customer_phone": "090-1234-5678",
    }
    fields.update(customer)
    services.case_update(case=case, user=teller, step="customer", fields=fields)
    return case


def stolen_card_case(
    teller: User,
    *,
    submit: bool = True,
    withdrawals=((200000, 220), (300000, 220)),
    police: str = "filed",
    kind: str = "cash_card",
    state: str = "stolen",
    channel: str = "atm_withdrawal",
) -> Case:
    """A stolen cash card with withdrawals, stops done: the commonest report (``kind``, ``state``
    and ``channel`` make it another item's, see ``online_banking_case``)."""
    case = draft(teller)
    day = today() - timedelta(days=2)
    (item,) = services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": kind,
                "state": state,
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": day,
                "noticed_on": day + timedelta(days=1),
            }
        ],
    )
    services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": item.pk,
                "occurred_at": at(day, 15, n),
                "account_branch": "001",
                "account_number": "1234567",
                "channel": channel,
                "amount": amount,
                "fee": fee,
                "interest": 0,
            }
            for n, (amount, fee) in enumerate(withdrawals)
        ],
    )
    police_fields: dict[str, Any] = {
        "police_status": police,
        "police_station": "",
        "police_filed_on": None,
        "police_receipt_number": "",
    }
    if police == "filed":
        police_fields.update(
            police_station="丸の内警察署",
            police_filed_on=day + timedelta(days=1),
            police_receipt_number="R-1",
        )
    services.case_update(case=case, user=teller, step="police", fields=police_fields)
    for action in case.actions.filter(status=ActionStatus.PROPOSED):
        services.action_perform(action=action, user=teller)
    if submit:
        case = services.case_submit(case_id=case.pk, user=teller)
    return case


def online_banking_case(teller: User, *, submit: bool = True) -> Case:
    """Money moved out of online banking with stolen credentials, stops done."""
    return stolen_card_case(
        teller,
        submit=submit,
        withdrawals=((300_000, 0),),
        kind="online_banking",
        state="credentials_stolen",
        channel="online_transfer",
    )


def stamped(case: Case, data: dict | None = None, **fields) -> dict:
    """The POST data of a form that changes ``case``, as the page renders it: the case's current
    version and a key made for this one rendering (incidents.cases.edits); ``data`` may override."""
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    return {"version": str(version), "edit_key": str(uuid.uuid4()), **(data or {}), **fields}


def transfer_fraud_case(
    teller: User,
    *,
    submit: bool = True,
    approach: str = "refund",
    transfers=((1_500_000, "みずほ銀行", "渋谷支店", "7654321", "カ）サギショウカイ"),),
    **customer,
) -> Case:
    """A customer deceived into transferring (振り込め詐欺等, docs/domain.md §9): the fraud step
    answered, the transfers recorded, every proposed stop declined except the freeze request."""
    case = draft(teller, **customer)
    day = today() - timedelta(days=1)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "transfer_fraud",
                "state": "deceived",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": day,
                "noticed_on": day,
            }
        ],
    )
    services.case_save_fraud(
        case=case,
        user=teller,
        step="fraud",
        fields={
            "fraud_approach": approach,
            "fraud_approach_note": "",
            "sign_atm_call": approach == "refund",
            "sign_home_visit": False,
            "sign_pin_asked": False,
        },
    )
    item = case.items.get(kind="transfer_fraud")
    services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": item.pk,
                "occurred_at": at(day, 14, n),
                "account_branch": "001",
                "account_number": "1234567",
                "channel": "atm_transfer",
                "amount": amount,
                "fee": 0,
                "interest": 0,
                "payee_bank": bank,
                "payee_branch": payee_branch,
                "payee_account_number": number,
                "payee_account_name": name,
            }
            for n, (amount, bank, payee_branch, number, name) in enumerate(transfers)
        ],
    )
    services.case_update(
        case=case,
        user=teller,
        step="police",
        fields={
            "police_status": "filed",
            "police_station": "丸の内警察署",
            "police_filed_on": day,
            "police_receipt_number": "R-2",
        },
    )
    # Left proposed for a draft, to be carried out by a freeze request.
    pending = case.actions.filter(status=ActionStatus.PROPOSED)
    if not submit:
        pending = pending.exclude(kind="receiving_freeze")
    for action in pending:
        services.action_decline(action=action, user=teller, reason="お客さまと相談のうえ後日")
    if submit:
        case = services.case_submit(case_id=case.pk, user=teller)
    return case


def freeze_request_to_our_bank(case: Case, teller: User) -> FreezeRequest:
    """The victim's freeze request for a receiving account at our bank (answer pending), which
    goes to the core through the outbox."""
    return services.freeze_request_save(
        case=case,
        user=teller,
        fields={
            "payee_bank": "まもり銀行",
            "payee_branch": "001",
            "payee_account_number": "7654321",
            "payee_account_name": "カ）サギショウカイ",
            "requested_at": timezone.now(),
            "contact_name": "本店営業部 田中",
            "answer": "pending",
        },
    )
