"""What makes two reports mergeable: the same customer, statuses still being worked
(incidents.cases.services.merge writes, incidents.cases.selectors shows the candidates)."""

from __future__ import annotations

from incidents.models import Case
from incidents.models.choices import CaseStatus
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
