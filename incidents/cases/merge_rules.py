"""What makes two reports mergeable: the same customer, statuses still being worked
(incidents.cases.services.merge writes, incidents.cases.selectors shows the candidates)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from incidents.models import Case, TimelineEvent
from incidents.models.choices import CaseStatus, EventKind
from incidents.models.search import normalize, phone_digits

# A case still being worked: a decided, paid, closed, withdrawn or merged case is never merged,
# nor a draft (it has no number to link to). The duplicate must not be awaiting its own decision.
SURVIVOR_STATUSES = (
    CaseStatus.PRELIMINARY,
    CaseStatus.REPORTED,
    CaseStatus.INVESTIGATING,
    CaseStatus.IN_REVIEW,
)
# Once the survivor is decided, what was paid rests on the merged facts: no undo.
DECIDED_STATUSES = (CaseStatus.DECIDED, CaseStatus.PAID, CaseStatus.CLOSED)


def decided_ever(case: Case) -> bool:
    """Whether a compensation decision was ever approved on the case: a change asked for since
    puts it back in review, but what was decided rests on its facts as they were merged."""
    return case.status in DECIDED_STATUSES or _approvals(case.pk).exists()


def decided_ever_q(case: OuterRef | int) -> Exists:
    """decided_ever() by the timeline alone, inside a query (the statuses are the query's)."""
    return Exists(_approvals(case))


def _approvals(case: OuterRef | int) -> QuerySet[TimelineEvent]:
    # Every approval moves the case to 決定 through case_transition, which records it here.
    return TimelineEvent.objects.filter(
        case=case, kind=EventKind.STATUS_CHANGED, data__to=CaseStatus.DECIDED
    )


def same_customer(first: Case, second: Case) -> bool:
    """Whether two reports are of one customer: the same customer number when both have one;
    otherwise (a night call often has none) the same kana name and the same phone number."""
    if first.customer_number and second.customer_number:
        return first.customer_number == second.customer_number
    kana = normalize(first.customer_name_kana)
    phone = phone_digits(first.customer_phone)
    return bool(
        kana
        and phone
        and kana == normalize(second.customer_name_kana)
        and phone == phone_digits(second.customer_phone)
    )
