"""Links between cases: money sent to the same receiving account, counterfeit cards used at the
same ATM within days (a possible skimming point).

Links cross branches: the fraud does. What a viewer learns about another case follows the one
scoping rule (``querysets.case_condition``): a case the viewer may open is shown as a link; any
other is only counted. The database returns no number, name or amount of a case the viewer may
not open, except inside the totals of a receiving account (what the transfer-fraud desk needs to
ask for a freeze under 振り込め詐欺救済法).

Accounts and ATMs are compared by keys normalized on save (``incidents.models.search``): 「みらい銀行
本店」「ﾐﾗｲ 本店営業部」 and full-width digits are the same account; 「駅前ATM」 and 「駅前 ＡＴＭ」 the
same machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from incidents.cases.services.freeze_core import our_branch, our_branches
from incidents.models import Case, UnauthorizedTransaction, User
from incidents.models.choices import CaseStatus, ItemKind, ItemState
from incidents.models.querysets import VIEW, case_condition

COUNTERFEIT = Q(item__kind=ItemKind.CASH_CARD, item__state=ItemState.COUNTERFEIT)
SEPARATOR = "\x1f"  # between the fields of a linked case in one aggregated string
LIST_LIMIT = 200


class Mode(Aggregate):
    """The most frequent value (PostgreSQL's ``mode()``): how most tellers wrote a name."""

    function = "mode"
    template = "%(function)s() WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = CharField()


def skimming_window() -> timedelta:
    """How close in time two counterfeit-card withdrawals at one ATM must be to be linked."""
    return timedelta(days=settings.MAMORI_SKIMMING_WINDOW_DAYS)


def visible_to(user: User, prefix: str = "case__") -> Q:
    """Rows whose case ``user`` may open (the scoping rule as a condition on related rows)."""
    condition = case_condition(user, VIEW)
    if condition is True:
        return Q(pk__isnull=False)
    if not condition:
        return Q(pk__isnull=True)  # never: a primary key is never null
    return Q(**{f"{prefix}{key}": value for key, value in condition.items()})


def may_see_link_lists(user: User) -> bool:
    """The desk lists are for compliance (every branch) and supervisors (their branch's links)."""
    return user.has_perm("incidents.view_case_links") and case_condition(user, VIEW) is not None


@dataclass(frozen=True)
class LinkedCase:
    """A linked case the viewer may open."""

    pk: int
    number: str
    branch_name: str
    status: str

    @property
    def url(self) -> str:
        return reverse("incidents:case_detail", kwargs={"pk": self.pk})

    @property
    def status_label(self) -> str:
        return str(CaseStatus(self.status).label)


def _visible_cases_aggregate(visible: Q) -> ArrayAgg:
    """Number, id, branch and status of each linked case the viewer may open, in one string."""
    return ArrayAgg(
        Concat(
            "case__number",
            Value(SEPARATOR),
            Cast("case_id", CharField()),
            Value(SEPARATOR),
            "case__branch__name",
            Value(SEPARATOR),
            "case__status",
            output_field=CharField(),
        ),
        filter=visible,
        distinct=True,
        default=Value([]),
    )


def _linked_cases(values: list[str]) -> list[LinkedCase]:
    cases = []
    for value in values:
        number, pk, branch_name, status = value.split(SEPARATOR)
        cases.append(LinkedCase(int(pk), number, branch_name, status))
    return sorted(cases, key=lambda case: case.number)


@dataclass
class LinkGroup:
    """The cases linked to one case through one receiving account or one ATM."""

    kind: str  # "payee" or "atm"
    label: str
    cases: list[LinkedCase] = field(default_factory=list)
    hidden: int = 0

    @property
    def total(self) -> int:
        return len(self.cases) + self.hidden


def case_links(*, case: Case, user: User) -> list[LinkGroup]:
    """Other cases linked to ``case``, read with one query from its (prefetched) transactions.

    Payee: any transfer of another case to the same receiving account. ATM: a counterfeit-card
    withdrawal of another case at the same ATM within the skimming window of one of this case's.
    """
    payees: dict[str, str] = {}
    atm_times: dict[str, list[datetime]] = {}
    atm_labels: dict[str, str] = {}
    for tx in case.transactions.all():
        if tx.payee_key:
            payees.setdefault(
                tx.payee_key,
                " ".join(
                    part
                    for part in (tx.payee_bank, tx.payee_branch, tx.payee_account_number)
                    if part
                ),
            )
        item = tx.item
        if tx.location_key and (item.kind, item.state) == (
            ItemKind.CASH_CARD,
            ItemState.COUNTERFEIT,
        ):
            atm_times.setdefault(tx.location_key, []).append(tx.occurred_at)
            atm_labels.setdefault(tx.location_key, tx.location)
    if not payees and not atm_times:
        return []
    window = skimming_window()
    near = Q(pk__isnull=True)
    for key, times in atm_times.items():
        for at in times:
            near |= Q(location_key=key, occurred_at__gte=at - window, occurred_at__lte=at + window)
    condition = Q(payee_key__in=list(payees)) | (near & COUNTERFEIT)
    visible = visible_to(user)
    rows = (
        UnauthorizedTransaction.objects.filter(condition)
        .exclude(case_id=case.pk)
        .filter(case__number__isnull=False)
        .annotate(
            link=CaseWhen(
                When(payee_key__in=list(payees), then=Concat(Value("p|"), "payee_key")),
                default=Concat(Value("a|"), "location_key"),
                output_field=CharField(),
            )
        )
        .values("link")
        .annotate(
            visible_cases=_visible_cases_aggregate(visible),
            hidden=Count("case_id", filter=~visible, distinct=True),
        )
        .order_by("link")
    )
    groups = []
    for row in rows:
        kind, key = row["link"].split("|", 1)
        label = payees.get(key, "") if kind == "p" else atm_labels.get(key, "")
        groups.append(
            LinkGroup(
                kind="payee" if kind == "p" else "atm",
                label=label,
                cases=_linked_cases(row["visible_cases"]),
                hidden=row["hidden"],
            )
        )
    return groups


# --- The transfer-fraud desk: receiving accounts in two or more cases ---------------------------


@dataclass
class ReceivingAccount:
    """A receiving account that appears in two or more cases, with its totals."""

    key: str
    bank: str
    branch: str
    account_number: str
    account_name: str
    cases: int
    branches: int
    transfers: int
    amount: int
    recovered: int
    first_at: datetime
    last_at: datetime
    linked: list[LinkedCase]
    hidden: int
    # At a branch of our own bank: only such an account can be frozen here (a freeze case stops
    # it through our core); an account at another bank is that bank's to freeze.
    at_our_bank: bool = False

    @property
    def outstanding(self) -> int:
        return self.amount - self.recovered


def receiving_accounts(
    *, user: User, since: date | None = None, limit: int = LIST_LIMIT
) -> list[ReceivingAccount]:
    """Receiving accounts that got money from two or more cases (candidates for a freeze).

    Compliance sees every such account; a branch's supervisor those that one of the branch's
    cases sent money to, with the other branches' cases as a count. Totals are over every case.
    """
    if not may_see_link_lists(user):
        return []
    visible = visible_to(user)
    rows = UnauthorizedTransaction.objects.exclude(payee_key="").filter(case__number__isnull=False)
    if since is not None:
        rows = rows.filter(occurred_at__gte=_start_of(since))
    if case_condition(user, VIEW) is not True:
        own = rows.filter(visible).values("payee_key")
        rows = rows.filter(payee_key__in=own)
    accounts = (
        rows.values("payee_key")
        .annotate(
            cases=Count("case_id", distinct=True),
            branches=Count("case__branch_id", distinct=True),
            transfers=Count("pk"),
            amount=Sum("amount"),
            recovered=Sum("recovered_amount"),
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
            bank=Mode("payee_bank"),
            branch=Mode("payee_branch"),
            account_number=Mode("payee_account_number"),
            account_name=Mode("payee_account_name"),
            visible_cases=_visible_cases_aggregate(visible),
            hidden=Count("case_id", filter=~visible, distinct=True),
        )
        .filter(cases__gte=2)
        .order_by("-cases", "-amount", "payee_key")[:limit]
    )
    rows_found = list(accounts)
    branches = our_branches() if rows_found else []
    return [
        ReceivingAccount(
            key=row["payee_key"],
            bank=row["bank"],
            branch=row["branch"],
            account_number=row["account_number"],
            account_name=row["account_name"],
            cases=row["cases"],
            branches=row["branches"],
            transfers=row["transfers"],
            amount=row["amount"],
            recovered=row["recovered"],
            first_at=row["first_at"],
            last_at=row["last_at"],
            linked=_linked_cases(row["visible_cases"]),
            hidden=row["hidden"],
            at_our_bank=our_branch(bank=row["bank"], branch=row["branch"], branches=branches)
            is not None,
        )
        for row in rows_found
    ]


# --- Possible skimming points: counterfeit cards used at the same ATM within days ---------------


@dataclass
class SkimmingPoint:
    """Counterfeit-card withdrawals at one ATM, each within the window of the one before."""

    location: str
    first_at: datetime
    last_at: datetime
    cases: int
    withdrawals: int
    amount: int
    linked: list[LinkedCase]
    hidden: int


# Islands of withdrawals at one ATM: a withdrawal more than the window after the previous one
# at the same ATM starts a new island. Window functions over window functions need a second
# level, which Django cannot write: the ORM builds the rows (with the viewer's visibility), this
# statement numbers the islands and keeps those with two or more cases.
SKIMMING_SQL = """
WITH marked AS (
    SELECT r.*,
           CASE WHEN r.occurred_at - lag(r.occurred_at) OVER (
                    PARTITION BY r.location_key ORDER BY r.occurred_at, r.id) <= %s
                THEN 0 ELSE 1 END AS starts
    FROM ({rows}) r
), islands AS (
    SELECT m.*, sum(m.starts) OVER (PARTITION BY m.location_key ORDER BY m.occurred_at, m.id
                                     ROWS UNBOUNDED PRECEDING) AS island
    FROM marked m
)
SELECT mode() WITHIN GROUP (ORDER BY location), min(occurred_at), max(occurred_at),
       count(DISTINCT case_id), count(*),
       sum(amount),
       COALESCE(array_agg(DISTINCT shown) FILTER (WHERE visible), '{{}}'),
       count(DISTINCT case_id) FILTER (WHERE NOT visible)
FROM islands
GROUP BY location_key, island
HAVING count(DISTINCT case_id) >= 2 {own}
ORDER BY count(DISTINCT case_id) DESC, max(occurred_at) DESC
LIMIT %s
"""


def skimming_points(
    *, user: User, since: date | None = None, limit: int = LIST_LIMIT
) -> list[SkimmingPoint]:
    """ATMs where two or more counterfeit-card cases withdrew within the window of each other.

    Compliance sees every such ATM; a branch's supervisor those involving one of the branch's
    cases, with the other branches' cases as a count.
    """
    if not may_see_link_lists(user):
        return []
    visible = visible_to(user)
    rows = (
        UnauthorizedTransaction.objects.filter(COUNTERFEIT)
        .exclude(location_key="")
        .filter(case__number__isnull=False)
    )
    if since is not None:
        rows = rows.filter(occurred_at__gte=_start_of(since))
    shown_rows = rows.annotate(
        visible=ExpressionWrapper(visible, output_field=BooleanField()),
        shown=Concat(
            "case__number",
            Value(SEPARATOR),
            Cast("case_id", CharField()),
            Value(SEPARATOR),
            "case__branch__name",
            Value(SEPARATOR),
            "case__status",
            output_field=CharField(),
        ),
    ).values(
        "id", "location_key", "location", "occurred_at", "case_id", "amount", "visible", "shown"
    )
    rows_sql, rows_params = shown_rows.order_by().query.sql_with_params()
    scoped = case_condition(user, VIEW) is not True
    sql = SKIMMING_SQL.format(
        rows=rows_sql,
        own="AND count(*) FILTER (WHERE visible) >= 1" if scoped else "",
    )
    with connection.cursor() as cursor:
        # django-stubs' SQL parameter types leave out timedelta, which psycopg sends as an interval.
        cursor.execute(sql, (skimming_window(), *rows_params, limit))  # type: ignore[arg-type]
        found = cursor.fetchall()
    return [
        SkimmingPoint(
            location=location,
            first_at=first_at,
            last_at=last_at,
            cases=cases,
            withdrawals=withdrawals,
            amount=int(amount or 0),
            linked=_linked_cases(shown),
            hidden=hidden,
        )
        for location, first_at, last_at, cases, withdrawals, amount, shown, hidden in found
    ]


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))
