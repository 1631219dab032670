"""What the receipt promises: the customer's follow-ups and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.deadlines import deadline_due_at
from incidents.models import (
    Case,
    Deadline,
)
from incidents.models.choices import (
    DeadlineKind,
    DeadlineState,
    ItemKind,
    PoliceStatus,
)


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
    due: dict[str, date] = {}
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
