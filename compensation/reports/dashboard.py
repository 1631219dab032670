"""The dashboard for supervisors (their branch) and compliance (every branch, or one).

The figures over a year of cases come from the snapshot the database keeps
(``DashboardFigure``, a materialized view refreshed every few minutes): open cases by status and
by what was reported, cases and amounts claimed per month, compensation per month, and the
median days from report to decision (``percentile_cont`` in the view), cases and amounts by the
customer's age band (migration 0008). The deadlines due today
and overdue are counted live, since they change by the minute. Two queries in all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.models import DashboardFigure
from compensation.reports.age_bands import AGE_BANDS, AgeBandRow
from compensation.reports.statistics import report_scope_branch
from incidents.models import Branch, Deadline, User
from incidents.models.choices import (
    OPEN_STATUSES,
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineKind,
    ItemKind,
    ItemState,
)
from incidents.models.querysets import VIEW

MONTHS = 12


@dataclass(frozen=True)
class Month:
    """One month of the dashboard's year, with its figures."""

    month: datetime.date
    cases: int = 0
    claimed: int = 0
    decisions: int = 0
    compensated: int = 0
    median_days: float | None = None
    decided: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:%Y/%m}"

    @property
    def short_label(self) -> str:
        return _("%(month)s月") % {"month": self.month.month}


@dataclass(frozen=True)
class DeadlineCount:
    """Deadlines of one kind still owed: due later today, and already past their due time."""

    kind: str
    due_today: int
    overdue: int

    @property
    def label(self) -> str:
        return str(DeadlineKind(self.kind).label)


@dataclass
class Dashboard:
    """What the dashboard shows for one scope."""

    branch: Branch | None
    by_status: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    months: list[Month]
    median_days: float | None
    decided: int
    deadlines: list[DeadlineCount]
    computed_at: datetime.datetime | None
    now: datetime.datetime
    age_bands: list[AgeBandRow]

    @property
    def open_total(self) -> int:
        return sum(count for _label, count in self.by_status)

    @property
    def due_today(self) -> int:
        return sum(row.due_today for row in self.deadlines)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.deadlines)

    @property
    def claimed_total(self) -> int:
        return sum(month.claimed for month in self.months)

    @property
    def compensated_total(self) -> int:
        return sum(month.compensated for month in self.months)

    @property
    def scope_label(self) -> str:
        return str(self.branch) if self.branch else str(_("全店"))


# What was reported, in the order and words of the desk (kind and state as the view keys them).
KIND_ORDER = [
    (ItemKind.CASH_CARD, ItemState.STOLEN),
    (ItemKind.CASH_CARD, ItemState.COUNTERFEIT),
    (ItemKind.CASH_CARD, ItemState.LOST),
    (ItemKind.PASSBOOK, ItemState.STOLEN),
    (ItemKind.PASSBOOK, ItemState.LOST),
    (ItemKind.ONLINE_BANKING, ItemState.CREDENTIALS_STOLEN),
    (ItemKind.SEAL, ItemState.STOLEN),
    (ItemKind.SEAL, ItemState.LOST),
    (ItemKind.ID_DOCUMENT, ItemState.STOLEN),
    (ItemKind.ID_DOCUMENT, ItemState.LOST),
]


def kind_label(kind: str, state: str) -> str:
    """「キャッシュカード（盗難）」."""
    return str(
        _("%(kind)s（%(state)s）") % {"kind": ItemKind(kind).label, "state": ItemState(state).label}
    )


def year_months(today: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months ending with today's month."""
    months = []
    year, month = today.year, today.month
    for _step in range(MONTHS):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def dashboard(*, user: User, branch_id: int | None = None) -> Dashboard:
    """The dashboard of the user's branch, or for those who span branches all or the chosen one."""
    branch_id, branch = report_scope_branch(user=user, branch_id=branch_id)
    figures = list(
        DashboardFigure.objects.filter(
            Q(branch_id=branch_id) if branch_id is not None else Q(branch__isnull=True)
        )
    )
    now = timezone.now()
    today = timezone.localdate(now)
    status_counts = {f.key: f.count for f in figures if f.figure == "open_status"}
    kind_counts = {f.key: f.count for f in figures if f.figure == "open_kind"}
    per_month: dict[datetime.date, dict] = {}
    bands: dict[str, tuple[int, int]] = {}
    median = None
    decided = 0
    for f in figures:
        if f.figure == "decision_days" and f.month is None:
            median, decided = f.days, f.count
        elif f.month is not None:
            slot = per_month.setdefault(f.month, {})
            if f.figure == "claimed":
                slot.update(cases=f.count, claimed=f.amount)
            elif f.figure == "compensated":
                slot.update(decisions=f.count, compensated=f.amount)
            elif f.figure == "decision_days":
                slot.update(median_days=f.days, decided=f.count)
            elif f.figure == "age_band":
                cases, amount = bands.get(f.key, (0, 0))
                bands[f.key] = (cases + f.count, amount + f.amount)
    months = [Month(month, **per_month.get(month, {})) for month in year_months(today)]
    return Dashboard(
        branch=branch,
        by_status=[
            (str(CaseStatus(status).label), status_counts.get(status, 0))
            for status in OPEN_STATUSES
        ],
        by_kind=[
            (kind_label(kind, state), kind_counts[f"{kind}:{state}"])
            for kind, state in KIND_ORDER
            if kind_counts.get(f"{kind}:{state}")
        ],
        months=months,
        median_days=median,
        decided=decided,
        deadlines=deadline_counts(user=user, branch_id=branch_id, now=now),
        computed_at=min((f.computed_at for f in figures), default=None),
        now=now,
        age_bands=[AgeBandRow(band, *bands.get(band, (0, 0))) for band in AGE_BANDS],
    )


def deadline_counts(
    *, user: User, branch_id: int | None, now: datetime.datetime
) -> list[DeadlineCount]:
    """Deadlines still owed, per kind: due later today (Japan time) and overdue, in one query."""
    today = timezone.localdate(now)
    end_of_today = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time())
    )
    owed = Deadline.objects.restrict(user, VIEW).filter(
        state__in=UNMET_DEADLINE_STATES, due_at__lt=end_of_today
    )
    if branch_id is not None:
        owed = owed.filter(branch_id=branch_id)
    rows = {
        row["kind"]: row
        for row in owed.values("kind")
        .annotate(
            due_today=Count("pk", filter=Q(due_at__gte=now)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
        .order_by()
    }
    return [
        DeadlineCount(
            kind,
            rows.get(kind, {}).get("due_today", 0),
            rows.get(kind, {}).get("overdue", 0),
        )
        for kind in DeadlineKind.values
    ]


def dashboard_refresh() -> None:
    """Recompute the dashboard's snapshot without blocking those reading it."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The refresh aggregates a year of cases: JIT compilation costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY compensation_dashboardfigure")
