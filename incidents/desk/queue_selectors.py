# ruff: noqa: S608, S611 — fixed SQL fragments from this module; user input goes only as parameters.
"""The supervisor's queue and the monitoring center's handoff list: reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from incidents.cases.validators import is_ascii_digits
from incidents.models import Branch, Case, Deadline, ReportedItem, User, search
from incidents.models.choices import (
    OPEN_STATUSES,
    UNMET_DEADLINE_STATES,
    CaseStatus,
    DeadlineKind,
)
from incidents.models.querysets import VIEW, spans_branches

PAGE_SIZE = 50
# Deadlines still owed: open, missed, or missed and escalated (the scan's partial index).
DEADLINE_OWED = UNMET_DEADLINE_STATES
DUE_SOON = timedelta(days=2)
OVERDUE_SINCE = datetime(2000, 1, 1, tzinfo=UTC)  # "overdue": owed and due any time before now

SORTS = {
    "-notified_at": ("-notified_at", "-pk"),
    "notified_at": ("notified_at", "pk"),
    "due": (F("next_due").asc(nulls_last=True), "-notified_at", "-pk"),
    "number": ("number", "pk"),
}
NOT_IN_QUEUE = (CaseStatus.DRAFT,)


@dataclass
class QueueFilters:
    """What the queue shows; every field comes from the URL so a view can be bookmarked."""

    status: str = ""  # "" = every open case, "all", or one status
    kind: str = ""  # an item kind
    branch: int | None = None  # for those who span branches
    assignee: str = ""  # "", "me", "none" or a user id
    due: str = ""  # "", "overdue" or a number of days
    q: str = ""
    sort: str = "-notified_at"
    page: int = 1


@dataclass
class QueuePage:
    """One page of cases and whether there are more."""

    rows: list[QueueRow]
    page: int
    has_next: bool
    now: datetime = field(default_factory=timezone.now)

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def owed_deadlines() -> QuerySet:
    """Deadlines of the outer case that are still owed."""
    return Deadline.objects.filter(case=OuterRef("pk"), state__in=DEADLINE_OWED)


def with_deadline_badges(cases: QuerySet) -> QuerySet:
    """Annotate the next owed deadline's time and kind (one subquery each, in the same query)."""
    owed = owed_deadlines().order_by("due_at")
    return cases.annotate(
        next_due=Subquery(owed.values("due_at")[:1]),
        next_due_kind=Subquery(owed.values("kind")[:1]),
    )


# The queue's per-row subqueries and filters as plain SQL: the page is the desk's hot path, and
# compiling Subquery/Exists expressions cost more than running them (see bench/bench_queue.py).
# They are correlated on the outer case table, which Django names "incidents_case".
OWED_SQL = "('open', 'overdue', 'escalated')"
NEXT_DUE_SQL = (
    'SELECT d.due_at FROM incidents_deadline d WHERE d.case_id = "incidents_case"."id"'
    f" AND d.state IN {OWED_SQL} ORDER BY d.due_at LIMIT 1"
)
NEXT_DUE_KIND_SQL = (
    'SELECT d.kind FROM incidents_deadline d WHERE d.case_id = "incidents_case"."id"'
    f" AND d.state IN {OWED_SQL} ORDER BY d.due_at LIMIT 1"
)
ITEM_KINDS_SQL = (
    'ARRAY(SELECT i.kind FROM incidents_reporteditem i WHERE i.case_id = "incidents_case"."id"'
    " ORDER BY i.position, i.id)"
)
HAS_KIND_SQL = (
    'EXISTS (SELECT 1 FROM incidents_reporteditem i WHERE i.case_id = "incidents_case"."id"'
    " AND i.kind = %s)"
)
DUE_BETWEEN_SQL = (
    'EXISTS (SELECT 1 FROM incidents_deadline d WHERE d.case_id = "incidents_case"."id"'
    f" AND d.state IN {OWED_SQL} AND d.due_at >= %s AND d.due_at <= %s)"
)
ROW_FIELDS = (
    "pk",
    "number",
    "status",
    "version",
    "after_hours",
    "customer_name",
    "customer_name_kana",
    "notified_at",
    "branch_id",
    "branch__name",
    "assigned_to_id",
    "assigned_to__last_name",
    "assigned_to__first_name",
    "assigned_to__username",
    "next_due",
    "next_due_kind",
    "item_kinds",
)


@dataclass(slots=True)
class QueueRow:
    """One case as a list shows it (masked, no personal data beyond the name)."""

    pk: int
    number: str
    status: str
    version: int
    after_hours: bool
    customer_name: str
    customer_name_kana: str
    notified_at: datetime
    branch_id: int
    branch_name: str
    assigned_to_id: int | None
    assignee_last_name: str | None
    assignee_first_name: str | None
    assignee_username: str | None
    next_due: datetime | None
    next_due_kind: str | None
    item_kinds: list[str]
    badge: str = ""

    def get_absolute_url(self) -> str:
        return reverse("incidents:case_detail", kwargs={"pk": self.pk})

    def get_status_display(self) -> str:
        return str(CaseStatus(self.status).label)

    @property
    def assignee_name(self) -> str:
        """Family name first, as User.display_name; empty when unassigned."""
        if self.assigned_to_id is None:
            return ""
        name = f"{self.assignee_last_name} {self.assignee_first_name}".strip()
        return name or self.assignee_username or ""


def case_queue_queryset(*, user: User, filters: QueueFilters, now: datetime | None = None):
    """The filtered, sorted queue as a queryset of value tuples (without the page slice)."""
    now = now or timezone.now()
    cases = Case.objects.restrict(user, VIEW)
    if filters.status == "all":
        cases = cases.exclude(status__in=NOT_IN_QUEUE)
    elif filters.status:
        cases = cases.filter(status=filters.status)
    else:
        cases = cases.filter(status__in=OPEN_STATUSES)
    if filters.branch and spans_branches(user):
        cases = cases.filter(branch_id=filters.branch)
    if filters.kind:
        cases = cases.filter(RawSQL(HAS_KIND_SQL, [filters.kind], output_field=BooleanField()))
    if filters.assignee == "me":
        cases = cases.filter(assigned_to=user)
    elif filters.assignee == "none":
        cases = cases.filter(assigned_to__isnull=True)
    elif is_ascii_digits(filters.assignee):
        cases = cases.filter(assigned_to_id=int(filters.assignee))
    if filters.due == "overdue":
        cases = cases.filter(
            RawSQL(DUE_BETWEEN_SQL, [OVERDUE_SINCE, now], output_field=BooleanField())
        )
    elif is_ascii_digits(filters.due):
        horizon = now + timedelta(days=int(filters.due))
        cases = cases.filter(RawSQL(DUE_BETWEEN_SQL, [now, horizon], output_field=BooleanField()))
    condition = search.query_filter(filters.q)
    if condition is not None:
        cases = cases.filter(condition)
    cases = cases.annotate(
        next_due=RawSQL(NEXT_DUE_SQL, [], output_field=DateTimeField()),
        next_due_kind=RawSQL(NEXT_DUE_KIND_SQL, [], output_field=CharField()),
        item_kinds=RawSQL(ITEM_KINDS_SQL, [], output_field=ArrayField(CharField())),
    )
    return cases.order_by(*SORTS.get(filters.sort, SORTS["-notified_at"])).values_list(*ROW_FIELDS)


def case_queue(*, user: User, filters: QueueFilters) -> QueuePage:
    """One page of the queue: 50 cases, fetched as 51 to know whether another page follows."""
    now = timezone.now()
    page = max(1, filters.page)
    offset = (page - 1) * PAGE_SIZE
    found = case_queue_queryset(user=user, filters=filters, now=now)[
        offset : offset + PAGE_SIZE + 1
    ]
    rows = [QueueRow(*values) for values in found]
    for row in rows:
        row.badge = deadline_badge(row.next_due, now)
    return QueuePage(rows=rows[:PAGE_SIZE], page=page, has_next=len(rows) > PAGE_SIZE, now=now)


def deadline_badge(due: datetime | None, now: datetime) -> str:
    """ "overdue", "soon" (within two days) or "" for the next owed deadline."""
    if due is None:
        return ""
    if due < now:
        return "overdue"
    if due <= now + DUE_SOON:
        return "soon"
    return ""


def queue_branches(*, user: User) -> list[Branch]:
    """The branches a user spanning branches can filter on (none for branch staff)."""
    return list(Branch.objects.order_by("code")) if spans_branches(user) else []


def awaiting_pickup(cases: QuerySet) -> QuerySet:
    """Annotate whether each case waits for its branch to pick it up, and by when."""
    pickup = owed_deadlines().filter(kind=DeadlineKind.AFTER_HOURS_PICKUP).order_by("due_at")
    return cases.annotate(
        pickup_due=Subquery(pickup.values("due_at")[:1]),
        awaiting_pickup=ExpressionWrapper(
            Q(status=CaseStatus.PRELIMINARY) | Q(Exists(pickup)), output_field=BooleanField()
        ),
    )


def handoff_list(*, user: User, limit: int = 200) -> list[Case]:
    """Preliminary after-hours cases not yet picked up, the most urgent pickup first."""
    cases = (
        Case.objects.restrict(user, VIEW)
        .filter(status=CaseStatus.PRELIMINARY)
        .select_related("branch", "created_by")
    )
    cases = awaiting_pickup(cases).annotate(
        item_kinds=ArraySubquery(
            ReportedItem.objects.filter(case=OuterRef("pk")).order_by("position").values("kind")
        )
    )
    rows = list(cases.order_by(F("pickup_due").asc(nulls_last=True), "notified_at", "pk")[:limit])
    now = timezone.now()
    for case in rows:
        case.badge = deadline_badge(case.pickup_due, now)
    return rows
