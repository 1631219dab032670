"""Reads about cases: what the intake still needs, the receipt's follow-ups, date flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.checklist import CARD_QUESTIONS, ONLINE_BANKING_FACTORS, PASSBOOK_QUESTIONS
from incidents.choices import (
    UNMET_DEADLINE_STATES,
    ActionStatus,
    CaseStatus,
    DeadlineKind,
    DeadlineState,
    ItemKind,
    PoliceStatus,
)
from incidents.deadlines import deadline_due_at
from incidents.models import (
    Case,
    Deadline,
    ProtectiveAction,
    ReportedItem,
    UnauthorizedTransaction,
    User,
)

WINDOW_DAYS = getattr(settings, "MAMORI_INTAKE_WINDOW_DAYS", 30)


def case_list_for_home(*, user: User) -> dict[str, QuerySet]:
    """The teller's drafts and the branch's open cases, after-hours cases awaiting pickup first."""
    from incidents.selectors_queue import awaiting_pickup, with_deadline_badges

    cases = Case.objects.restrict(user).select_related("branch", "assigned_to")
    open_cases = cases.exclude(
        status__in=[CaseStatus.DRAFT, CaseStatus.CLOSED, CaseStatus.WITHDRAWN]
    )
    open_cases = with_deadline_badges(awaiting_pickup(open_cases))
    return {
        "drafts": cases.filter(status=CaseStatus.DRAFT, created_by=user).order_by("-updated_at")[
            :50
        ],
        "open_cases": open_cases.order_by(
            "-awaiting_pickup", F("pickup_due").asc(nulls_last=True), "-notified_at", "-pk"
        )[:50],
    }


def deadline_list_for_home(*, user: User, limit: int = 20) -> list[Deadline]:
    """Deadlines still owed on the cases the user may see: pickups first, then the latest due."""
    return list(
        Deadline.objects.restrict(user)
        .filter(state__in=UNMET_DEADLINE_STATES)
        .select_related("case", "branch", "owner")
        .annotate(
            pickup_first=CaseWhen(
                When(kind=DeadlineKind.AFTER_HOURS_PICKUP, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pickup_first", "due_at", "pk")[:limit]
    )


def deadline_list_for_case(*, case: Case) -> list[Deadline]:
    """Every deadline of a case (also met and cancelled ones), earliest due first."""
    return list(case.deadlines.select_related("owner").order_by("due_at", "pk"))


def case_get_full(*, user: User, pk: int, action: str = "view") -> Case:
    """One case the user may see, with everything the case page shows; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    queryset = (
        Case.objects.restrict(user, action)
        .select_related("branch", "created_by", "assigned_to", "submitted_by")
        .prefetch_related(
            Prefetch("items", queryset=ReportedItem.objects.order_by("position", "pk")),
            Prefetch(
                "actions",
                queryset=ProtectiveAction.objects.select_related("item", "performed_by"),
            ),
            Prefetch(
                "transactions",
                queryset=UnauthorizedTransaction.objects.select_related("item"),
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def case_applicable_checklist(case: Case) -> dict[str, list]:
    """The checklist questions the case's items call for (no passbook questions without one)."""
    kinds = {item.kind for item in case.items.all()}
    return {
        "card": CARD_QUESTIONS if ItemKind.CASH_CARD in kinds else [],
        "passbook": PASSBOOK_QUESTIONS if kinds & {ItemKind.PASSBOOK, ItemKind.SEAL} else [],
        "online_banking": ONLINE_BANKING_FACTORS if ItemKind.ONLINE_BANKING in kinds else [],
    }


def case_checklist_labels(case: Case) -> list[str]:
    """The checklist answers as the questions read."""
    from incidents.checklist import LABELS

    return [str(LABELS.get(code, code)) for code in [*case.checklist, *case.online_banking_factors]]


def case_has_money_items(case: Case) -> bool:
    """Whether any item can have been used to take money (and so transactions can be recorded)."""
    return any(item.rules_kind for item in case.items.all())


def case_submission_problems(case: Case) -> list[str]:
    """Why a draft cannot be submitted yet, in words a teller understands; empty when it can."""
    problems = []
    if not case.customer_name or not case.customer_name_kana:
        problems.append(_("お客さまの氏名（漢字・カナ）を入力してください。"))
    items = list(case.items.all())
    if not items:
        problems.append(_("届出の対象（カード・通帳など）を1件以上入力してください。"))
    pending = [a for a in case.actions.select_related("item") if a.status == ActionStatus.PROPOSED]
    for action in pending:
        problems.append(
            _("「%(action)s」を実施済または見送り（理由付き）として記録してください。")
            % {"action": action.get_kind_display()}
        )
    if not case.police_status:
        problems.append(_("警察への届出の状況を入力してください。"))
    return problems


@dataclass(frozen=True)
class DateFlag:
    """A transaction outside what the compensation rules usually cover: flagged, not refused."""

    code: str
    message: str


def window_start(notified_on: date, window_days: int = WINDOW_DAYS) -> date:
    """The first day of the compensation window (通知日の30日前の日)."""
    return notified_on - timedelta(days=window_days)


def two_year_limit(start: date) -> date:
    """The last day the bank may be notified: the same calendar day two years on (29 Feb → 28 Feb)."""
    try:
        return start.replace(year=start.year + 2)
    except ValueError:
        return start.replace(year=start.year + 2, day=28)


def transaction_flags(case: Case, tx: UnauthorizedTransaction) -> list[DateFlag]:
    """Flags shown beside a transaction at intake (DOMAIN §5: flagged, not silently dropped)."""
    flags = []
    notified_on = case.notified_on
    kind = tx.item.rules_kind if tx.item_id else None
    if kind == "counterfeit_card":
        return flags  # a counterfeit-card withdrawal is void whatever its date
    tx_day = timezone.localdate(tx.occurred_at)
    start = window_start(notified_on)
    if tx_day < start:
        flags.append(
            DateFlag(
                "before_window",
                _(
                    "通知日の30日前の日（%(start)s）より前のお取引です。補償の対象外となる可能性があります。"
                )
                % {"start": start.strftime("%Y/%m/%d")},
            )
        )
    origin = tx.item.occurred_on if tx.item_id and tx.item.occurred_on else None
    if origin is None:
        first = min(
            (
                timezone.localdate(t.occurred_at)
                for t in case.transactions.all()
                if t.item_id == tx.item_id
            ),
            default=tx_day,
        )
        origin = first
    if notified_on > two_year_limit(origin):
        flags.append(
            DateFlag(
                "past_limit",
                _(
                    "盗難・発生から2年を経過した後の通知です（期限 %(limit)s）。補償の対象外となる可能性があります。"
                )
                % {"limit": two_year_limit(origin).strftime("%Y/%m/%d")},
            )
        )
    return flags


@dataclass(frozen=True)
class FollowUp:
    """Something the customer must still bring or do, and by when (printed on the receipt)."""

    text: str
    due: date | None


def receipt_follow_ups(case: Case) -> list[FollowUp]:
    """What the receipt tells the customer to do next, by the due dates of the case's deadlines."""
    needs_police = case.police_status == PoliceStatus.NOT_YET
    needs_documents = case.transactions.exists()
    due = _follow_up_due_dates(
        case,
        [
            kind
            for kind, needed in (
                (DeadlineKind.POLICE_REPORT, needs_police),
                (DeadlineKind.CUSTOMER_DOCUMENTS, needs_documents),
            )
            if needed
        ],
    )
    follow_ups = []
    if needs_police:
        follow_ups.append(
            FollowUp(
                _("最寄りの警察署へ被害届を提出し、届出警察署・受理番号を当行へお知らせください。"),
                due.get(DeadlineKind.POLICE_REPORT),
            )
        )
    if needs_documents:
        follow_ups.append(
            FollowUp(
                _(
                    "補償のご請求には所定の請求書（補償請求書）へのご記入・ご捺印と、本人確認書類の写しが必要です。"
                ),
                due.get(DeadlineKind.CUSTOMER_DOCUMENTS),
            )
        )
    kinds = {(item.kind, item.state) for item in case.items.all()}
    if any(kind == ItemKind.CASH_CARD for kind, _state in kinds):
        follow_ups.append(
            FollowUp(
                _(
                    "キャッシュカードの再発行は、お届出印と本人確認書類をお持ちのうえ窓口でお手続きください。"
                ),
                None,
            )
        )
    if any(kind in (ItemKind.PASSBOOK, ItemKind.SEAL) for kind, _state in kinds):
        follow_ups.append(
            FollowUp(
                _(
                    "通帳の再発行・改印は、新しいご印鑑と本人確認書類をお持ちのうえ窓口でお手続きください。"
                ),
                None,
            )
        )
    if any(kind == ItemKind.ONLINE_BANKING for kind, _state in kinds):
        follow_ups.append(
            FollowUp(
                _(
                    "インターネットバンキングの再開には、ID・パスワードの再設定のお手続きが必要です。ご利用のパソコン・スマートフォンのウイルスチェックをお願いします。"
                ),
                None,
            )
        )
    return follow_ups


def _follow_up_due_dates(case: Case, kinds: list[str]) -> dict[str, date]:
    """The due day of each customer follow-up: its deadline's, else what the policy would give."""
    due = {}
    if not kinds:
        return due
    for deadline in (
        Deadline.objects.filter(case=case, kind__in=kinds)
        .exclude(state=DeadlineState.CANCELLED)
        .order_by("created_at", "pk")
    ):
        due[deadline.kind] = timezone.localdate(deadline.due_at)
    start = case.submitted_at or case.notified_at
    for kind in kinds:
        if kind not in due:
            due[kind] = timezone.localdate(deadline_due_at(kind=kind, start=start))
    return due
