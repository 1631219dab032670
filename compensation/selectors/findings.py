"""The supervisor's findings on a case, read once per page."""

from __future__ import annotations

from typing import Any

from compensation.models import CaseAssessment, CaseByCaseRate, ItemFault
from incidents.models import Case


def _joined_one(row: Any, name: str) -> tuple[bool, Any]:
    """(whether the caller's query joined the one-to-one ``name`` of ``row``, its value)."""
    descriptor = getattr(type(row), name)
    if not descriptor.is_cached(row):
        return False, None
    try:
        return True, getattr(row, name)
    except descriptor.RelatedObjectDoesNotExist:
        return True, None  # joined, and there is none yet


def _joined_many(case: Case, rows: str, name: str) -> dict[int, Any] | None:
    """{row id: its one-to-one ``name``} when the case's ``rows`` were prefetched with it joined."""
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get(rows)
    if prefetched is None:
        return None
    found: dict[int, Any] = {}
    for row in prefetched:
        joined, value = _joined_one(row, name)
        if not joined:
            return None
        if value is not None:
            found[row.pk] = value
    return found


def case_findings(
    case: Case,
) -> tuple[CaseAssessment | None, dict[int, ItemFault], dict[int, CaseByCaseRate]]:
    """The supervisor's findings on a case: the case-wide facts, faults per item, rates per line.

    The case page loads the case with them joined (incidents/cases/selectors.py, case_get_full):
    no query here then; any other caller gets three.
    """
    joined, assessment = _joined_one(case, "assessment")
    if not joined:
        assessment = CaseAssessment.objects.filter(case=case).first()
    faults = _joined_many(case, "items", "fault")
    if faults is None:
        faults = {
            fault.item_id: fault
            for fault in ItemFault.objects.filter(case=case).select_related("confirmed_by")
        }
    rates = _joined_many(case, "transactions", "case_by_case_rate")
    if rates is None:
        rates = {
            rate.transaction_id: rate
            for rate in CaseByCaseRate.objects.filter(case=case).select_related("set_by")
        }
    return assessment, faults, rates
