"""Demo data: branches, one member of staff per role, and a handful of cases in several states."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from incidents import deadlines
from incidents.cases import services
from incidents.deadlines.calendar import is_business_day, next_business_day
from incidents.deadlines.policies import policy_for
from incidents.models import Branch, Case, Deadline, User
from incidents.models.choices import ActionStatus, CaseStatus, Role

DEMO_PASSWORD = "mamori-demo-2026"

BRANCHES = [
    ("001", "本店営業部", "03-0000-0001"),
    ("002", "新宿支店", "03-0000-0002"),
    ("003", "横浜支店", "045-000-0003"),
]

STAFF = [
    # username, family name, given name, role, branch code
    ("teller", "佐藤", "花子", Role.TELLER, "001"),
    ("teller2", "鈴木", "一郎", Role.TELLER, "002"),
    ("supervisor", "高橋", "健一", Role.SUPERVISOR, "001"),
    ("supervisor2", "田中", "美咲", Role.SUPERVISOR, "001"),
    ("monitoring", "伊藤", "誠", Role.MONITORING, None),
    ("compliance", "渡辺", "直子", Role.COMPLIANCE, None),
    ("admin", "山本", "管理", Role.ADMIN, None),
]


@transaction.atomic
def seed_demo(*, password: str = DEMO_PASSWORD) -> list[tuple[str, str, str]]:
    """Create (or refresh) the demo branches, staff and cases; returns (username, role, password)."""
    branches = {}
    for code, name, phone in BRANCHES:
        branches[code], _created = Branch.objects.update_or_create(
            code=code, defaults={"name": name, "phone": phone}
        )
    accounts = []
    for username, family, given, role, branch_code in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "role": role,
                "branch": branches.get(branch_code) if branch_code is not None else None,
                "email": f"{username}@bank.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(password)
            user.save()
        accounts.append((username, str(Role(role).label), password))
    if not Case.objects.exclude(status=CaseStatus.DRAFT).exists():
        _seed_cases(User.objects.get(username="teller"), User.objects.get(username="teller2"))
        _seed_deadline_states(User.objects.get(username="monitoring"), branches["001"])
    return accounts


def _at(days_ago: int, hour: int = 10) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, 0))


def _case(
    teller, *, days_ago, customer, items, transactions=(), police="filed", checklist=(), submit=True
):
    case, _created = services.case_start_draft(
        user=teller,
        token=uuid.uuid4(),
        fields={"channel": "counter", "reporter_relation": "self", "notified_at": _at(days_ago)},
    )
    services.case_update(case=case, user=teller, step="customer", fields=customer)
    saved = services.case_save_items(case=case, user=teller, rows=items)
    rows = []
    for tx in transactions:
        row = dict(tx)
        row["item"] = saved[row.pop("item_index")].pk
        rows.append(row)
    services.case_save_transactions(case=case, user=teller, rows=rows)
    police_fields = {
        "police_status": police,
        "police_station": "",
        "police_filed_on": None,
        "police_receipt_number": "",
    }
    if police == "filed":
        police_fields.update(
            police_station="丸の内警察署",
            police_filed_on=_at(days_ago).date(),
            police_receipt_number=f"R-{days_ago:03d}-{case.pk}",
        )
    services.case_update(case=case, user=teller, step="police", fields=police_fields)
    services.case_update(
        case=case, user=teller, step="checklist", fields={"checklist": list(checklist)}
    )
    if submit:
        for action in case.actions.filter(status=ActionStatus.PROPOSED):
            services.action_perform(action=action, user=teller)
        case = services.case_submit(case_id=case.pk, user=teller)
    return case


def _seed_cases(teller, teller2) -> None:
    def item(kind, state, account, occurred_days_ago, noticed_days_ago):
        return {
            "kind": kind,
            "state": state,
            "account_branch": account[:3],
            "account_number": account[3:],
            "occurred_on": _at(occurred_days_ago).date() if occurred_days_ago is not None else None,
            "noticed_on": _at(noticed_days_ago).date(),
        }

    def withdrawal(days_ago, amount, account, item_index=0, hour=15, channel="atm_withdrawal"):
        return {
            "item_index": item_index,
            "occurred_at": _at(days_ago, hour),
            "account_branch": account[:3],
            "account_number": account[3:],
            "channel": channel,
            "amount": amount,
            "fee": 220,
            "interest": 0,
            "location": "新宿駅前出張所ATM",
        }

    def person(number, name, kana, phone=""):
        return {
            "customer_number": number,
            "customer_type": "individual",
            "customer_name": name,
            "customer_name_kana": kana,
            "customer_phone": phone,
        }

    def transfer(days_ago, hour, amount, account, payee_bank, payee_branch):
        return {
            "item_index": 0,
            "occurred_at": _at(days_ago, hour),
            "account_branch": account[:3],
            "account_number": account[3:],
            "channel": "online_transfer",
            "amount": amount,
            "fee": 330,
            "interest": 0,
            "payee_bank": payee_bank,
            "payee_branch": payee_branch,
            "payee_account_number": "9876543",
            "payee_account_name": "サトウ ジロウ",
        }

    _case(
        teller,
        days_ago=3,
        customer=person("100234", "山田 太郎", "ヤマダ タロウ", phone="090-1234-5678"),
        items=[item("cash_card", "stolen", "0011234567", 4, 3)],
        transactions=[
            withdrawal(4, 200000, "0011234567"),
            withdrawal(4, 300000, "0011234567", hour=16),
        ],
        checklist=["pin_memo_with_card"],
    )
    stolen_passbook = _case(
        teller,
        days_ago=1,
        customer=person("100877", "中村 由美", "ナカムラ ユミ"),
        items=[
            item("passbook", "stolen", "0017654321", 2, 1),
            item("seal", "stolen", "0017654321", 2, 1),
        ],
        transactions=[withdrawal(2, 500000, "0017654321", channel="counter_withdrawal")],
        police="not_yet",
        checklist=["seal_kept_with_passbook"],
    )
    services.case_transition(
        case=stolen_passbook,
        user=teller,
        to=CaseStatus.INVESTIGATING,
        reason="警察への被害届の提出待ち",
    )
    _case(
        teller,
        days_ago=0,
        customer=person("101500", "小林 誠", "コバヤシ マコト"),
        items=[item("cash_card", "counterfeit", "0012223334", None, 0)],
        transactions=[withdrawal(1, 150000, "0012223334")],
    )
    _case(
        teller2,
        days_ago=2,
        customer=person("200311", "加藤 恵子", "カトウ ケイコ"),
        items=[item("online_banking", "credentials_stolen", "0025556667", 3, 2)],
        transactions=[transfer(3, 2, 980000, "0025556667", "まもり銀行", "本店営業部")],
    )
    # Links for the transfer-fraud desk and the skimming list: a second transfer, from another
    # branch, to 加藤's receiving account — a mule's account at our own bank, so a freeze
    # candidate (docs/domain.md §9.1) — written as customers write it, and a second
    # counterfeit card used at 小林's ATM within days.
    _case(
        teller,
        days_ago=1,
        customer=person("100642", "松本 さくら", "マツモト サクラ"),
        items=[item("online_banking", "credentials_stolen", "0013332221", 2, 1)],
        transactions=[transfer(2, 23, 450000, "0013332221", "まもり　銀行", "本店営業部")],
    )
    _case(
        teller,
        days_ago=4,
        customer=person("100456", "森 健太", "モリ ケンタ"),
        items=[item("cash_card", "counterfeit", "0014445556", None, 4)],
        transactions=[withdrawal(6, 200000, "0014445556"), withdrawal(6, 180000, "0014445556")],
    )
    _case(
        teller,
        days_ago=0,
        customer=person("100999", "吉田 優", "ヨシダ ユウ"),
        items=[item("cash_card", "lost", "0018889990", 0, 0)],
        submit=False,
    )


def _last_business_day_at(now: datetime, at: time) -> datetime:
    """``at`` o'clock on the last business day before today (in Japan)."""
    day = timezone.localdate(now) - timedelta(days=1)
    while not is_business_day(day):
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, at))


def _next_business_day_at(now: datetime, at: time) -> datetime:
    """The first ``at`` o'clock on a business day still to come: today's, or a later day's."""
    today = timezone.localdate(now)
    day = next_business_day(today, include=timezone.localtime(now).time() < at)
    return timezone.make_aware(datetime.combine(day, at))


def _seed_deadline_states(monitoring, head_office) -> None:
    """Give the demo deadlines in several states: reminded, escalated, met, and a pickup waiting.

    (The compensation demo puts 小林's case in review, which opens its supervisor-review deadline.)
    """
    now = timezone.now()
    by_customer = {case.customer_number: case for case in Case.objects.exclude(number=None)}
    # Each at its kind's time of day (docs/domain.md §5.2: 15:00) on a business day.
    # 中村: the police report was due on the last business day and nobody chased it.
    missed = _last_business_day_at(now, policy_for("police_report").due_time)
    Deadline.objects.filter(case=by_customer["100877"], kind="police_report").update(
        due_at=missed, next_action_at=missed
    )
    # 山田: the claim documents are due at the next business day's due time, so the teller is
    # reminded.
    Deadline.objects.filter(case=by_customer["100234"], kind="customer_documents").update(
        due_at=_next_business_day_at(now, policy_for("customer_documents").due_time),
        next_action_at=now - timedelta(minutes=1),
    )
    # 加藤 (新宿支店): the customer brought the claim documents.
    online = by_customer["200311"]
    deadlines.deadline_meet(case=online, kind="customer_documents", actor=online.created_by)
    _after_hours_call(monitoring, head_office)
    deadlines.deadlines_scan(now=now)


def _after_hours_call(monitoring, branch) -> Case:
    """A call the monitoring center took last night, waiting for the branch to pick it up."""
    case, _created = services.case_open_preliminary(
        user=monitoring,
        token=uuid.uuid4(),
        fields={
            "customer_number": "100555",
            "customer_name": "井上 直樹",
            "customer_name_kana": "イノウエ ナオキ",
            "police_status": "not_yet",
            "circumstances_note": "飲食店で鞄ごと盗まれたとのお電話。カードを停止済。",
        },
        items=[
            {
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": branch.code,
                "account_number": "5550001",
            }
        ],
    )
    return case
