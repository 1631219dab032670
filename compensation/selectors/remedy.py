"""Reads of the receiving side of the Remedy Act: freeze cases, who may do what on them, the
candidates they are opened from, and the periods the policy in force gives (docs/domain.md §9.1)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from compensation import rules
from compensation.choices import ApplicationStatus, DecisionStatus, FreezeStatus
from compensation.models import (
    REMEDY_APPLICATION_MIN_DAYS,
    REMEDY_NOTICE_MIN_DAYS,
    DistributionDecision,
    FreezeCase,
    FreezeEvent,
    RemedyApplication,
    RemedyEvidence,
)
from compensation.selectors.policy import policy_version_in_force
from compensation.selectors.wording import recorded_words
from incidents.cases.services.timeline import bank_language
from incidents.deadlines.calendar import next_business_day
from incidents.links import selectors as links
from incidents.models import CaseAccess, User
from incidents.models.choices import OPEN_CORE_REQUEST_STATES, Role


def freeze_cases_visible(user: Any) -> QuerySet[FreezeCase]:
    """Freeze cases the user may open: compliance every branch, a supervisor their branch's."""
    cases = FreezeCase.objects.select_related("branch", "opened_by")
    role = getattr(user, "role", None)
    if role == Role.COMPLIANCE:
        return cases
    if role == Role.SUPERVISOR and getattr(user, "branch_id", None):
        return cases.filter(branch_id=user.branch_id)
    return cases.none()


def freeze_case_get(*, user: Any, pk: int) -> FreezeCase:
    """One freeze case the user may see, or 404 (another branch's is absent, as with cases)."""
    found = freeze_cases_visible(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def can_open_freeze(user: Any) -> bool:
    """A supervisor (役席) with a branch and the links desk opens freeze cases."""
    return (
        getattr(user, "role", None) == Role.SUPERVISOR
        and bool(getattr(user, "branch_id", None))
        and user.has_perm("incidents.view_case_links")
    )


def can_work_freeze(user: Any, freeze: FreezeCase) -> bool:
    """A supervisor of the freeze case's branch records on it."""
    return can_open_freeze(user) and user.branch_id == freeze.branch_id


def freeze_candidate(*, user: User, key: str) -> links.ReceivingAccount | None:
    """The freeze candidate (a receiving account in two or more cases) the user can see."""
    for account in links.receiving_accounts(user=user, since=None):
        if account.key == key:
            return account
    return None


def freeze_candidate_problems(account: links.ReceivingAccount) -> list[str]:
    """Why a freeze case cannot be opened for the account, in a supervisor's words: only an
    account at our own bank can be frozen through our core (another bank freezes its own)."""
    if account.at_our_bank:
        return []
    return [
        _(
            "口座凍結は当行（%(bank)s）の口座に限ります。%(account)s は他行の口座のため、"
            "振込先の金融機関に凍結を依頼してください。"
        )
        % {
            "bank": settings.MAMORI_INSTITUTION_NAME,
            "account": f"{account.bank} {account.branch} {account.account_number}",
        }
    ]


def open_freeze_keys(keys: list[str]) -> dict[str, int]:
    """The open freeze case of each receiving account key that has one."""
    rows = FreezeCase.objects.filter(payee_key__in=keys).exclude(status=FreezeStatus.DECIDED)
    return dict(rows.values_list("payee_key", "pk"))


@dataclass(frozen=True)
class RemedyPeriods:
    """The Remedy Act's two periods in force on a day (policy parameters by date)."""

    notice_days: int
    application_days: int


def remedy_periods(*, on: datetime.date) -> RemedyPeriods:
    """The periods of the policy version in force on ``on`` (the law's minimums without one)."""
    version = policy_version_in_force(on=on)
    if version is None:
        return RemedyPeriods(REMEDY_NOTICE_MIN_DAYS, REMEDY_APPLICATION_MIN_DAYS)
    return RemedyPeriods(version.remedy_notice_days, version.remedy_application_days)


def period_end(start: datetime.date, days: int) -> datetime.date:
    """The last day of a period of ``days`` days counted from ``start``: ``start + days``, moved
    on to the next business day when the bank is closed then (a victim must be able to reach the
    bank on the last day), so a period is never shorter than the policy's length."""
    return next_business_day(start + datetime.timedelta(days=days), include=True)


def freeze_applications(freeze: FreezeCase) -> list[RemedyApplication]:
    """The freeze case's applications, in the order they were received."""
    return list(
        freeze.applications.select_related("decided_by")
        .prefetch_related("evidence")
        .order_by("received_on", "pk")
    )


def evidence_get(*, user: Any, pk: int, evidence_pk: int) -> RemedyEvidence:
    """One document of a freeze case the user may see, or 404."""
    freeze = freeze_case_get(user=user, pk=pk)
    found = RemedyEvidence.objects.filter(pk=evidence_pk, application__freeze_case=freeze).first()
    if found is None:
        raise Http404
    return found


def freeze_pending_count(freeze: FreezeCase) -> int:
    """How many applications still await a decision."""
    return freeze.applications.filter(status=ApplicationStatus.PENDING).count()


def distribution_current(freeze: FreezeCase) -> DistributionDecision | None:
    """The live distribution decision: the one awaiting review, else the approved one."""
    return (
        freeze.distribution_decisions.filter(
            status__in=[DecisionStatus.SUBMITTED, DecisionStatus.APPROVED]
        )
        .select_related("prepared_by", "reviewed_by")
        .first()
    )


def distribution_review_refusal(*, decision: DistributionDecision, user: User) -> str | None:
    """Why ``user`` may not approve or return the distribution (four eyes, as for a compensation
    decision: neither its preparer nor whoever recorded a fact it rests on — the balance when
    frozen, typed by the one who opened the freeze case, or an application accepted or rejected);
    None if they may."""
    if decision.prepared_by_id == user.pk:
        return _("起案者とは別の役席が審査します（四つの目）。")
    if decision.freeze_case.opened_by_id == user.pk:
        return _(
            "凍結時の残高を記録した役席（口座凍結の登録者）は、その分配を審査できません"
            "（四つの目）。別の役席が審査します。"
        )
    if RemedyApplication.objects.filter(
        freeze_case_id=decision.freeze_case_id, decided_by_id=user.pk
    ).exists():
        return _(
            "申請を認容・却下した役席は、その申請にもとづく分配を審査できません（四つの目）。"
            "別の役席が審査します。"
        )
    return None


def distribution_decisions(freeze: FreezeCase) -> list[tuple[DistributionDecision, object]]:
    """Every distribution decision of the freeze case, returned ones included, each with its
    reason as a staff screen says it (``distribution_reason``)."""
    decisions = freeze.distribution_decisions.select_related("prepared_by", "reviewed_by")
    return [(decision, distribution_reason(decision)) for decision in decisions]


def distribution_reason(decision: DistributionDecision) -> object:
    """The decision's recorded reason (the bank's Japanese), as the rules' phrase when they make
    the same sentence from its stored facts today, so ``staff_words`` says it in the reader's
    language; as recorded otherwise."""
    recorded = decision.result["reason"]
    try:
        today = rules.distribute(rules.parse_distribution(decision.facts)).reason
    except rules.DistributionError:
        return recorded
    return recorded_words([today])(recorded)


@dataclass(frozen=True)
class TableRow:
    """One line of the decision table (決定表): an accepted claim and what it is paid."""

    application: RemedyApplication
    payment: int


def decision_table(decision: DistributionDecision) -> list[TableRow]:
    """Each accepted application of the decision with its payment, in the decision's order."""
    paid = {entry["id"]: entry["amount"] for entry in decision.result["payments"]}
    applications = RemedyApplication.objects.in_bulk([int(key) for key in paid])
    return [TableRow(applications[int(key)], amount) for key, amount in paid.items()]


def freeze_timeline(freeze: FreezeCase) -> list[FreezeEvent]:
    """The freeze case's timeline, oldest first: what happened, by whom, when."""
    return list(freeze.events.select_related("actor").order_by("at", "pk"))


def freeze_core_unconfirmed(freeze: FreezeCase) -> bool:
    """The freeze is still owed by the core past its confirmation time (escalated)."""
    return freeze.status == FreezeStatus.REQUESTED and (
        freeze.core_requests.filter(
            state__in=OPEN_CORE_REQUEST_STATES, escalated_at__isnull=False
        ).exists()
    )


def freeze_record_name(freeze: FreezeCase) -> str:
    """How the access log's row names a freeze case (「口座凍結 12」, in the bank's language)."""
    with bank_language():
        return _freeze_said(freeze.pk)


def _freeze_said(pk: int | str) -> str:
    return _("口座凍結 %(pk)s") % {"pk": pk}


FREEZE_VIEW_PREFIX = "freeze_"
_FREEZE_PK = re.compile(r"(\d+)$")


def freeze_access_label(row: CaseAccess) -> str | None:
    """A look at a freeze case, as the access log shows it in the reader's language."""
    found = _FREEZE_PK.search(row.record)
    return _freeze_said(found.group(1)) if found else None
