"""A case on which a compensation decision was ever approved is never merged, nor a merge into it
undone, even once a change of that decision has put it back in review: what was decided rests
on its facts as they stood (issue 13, duplicate reports)."""

from __future__ import annotations

import pytest

from compensation import services as compensation
from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.cases import services
from incidents.cases.selectors import merge_candidates
from incidents.models import Case, CaseMerge
from incidents.models.choices import CaseStatus
from tests import factories

from .support import confirm_suggested_faults, fresh, set_checklist, submit_and_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(teller):
    survivor = factories.stolen_card_case(teller)
    duplicate = factories.stolen_card_case(teller, withdrawals=((50000, 110),))
    return survivor, duplicate


def decided_then_reopened(
    case: Case, teller, supervisor, approver, *, returned: bool = False
) -> Case:
    """Decided, then a change of the decision asked for (審査中), and ``returned`` to 調査中."""
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    submit_and_approve(case, teller, approver)
    change = compensation.decision_submit(case=fresh(case), user=supervisor, note="金額の訂正")
    if returned:
        compensation.decision_return(decision=change, user=approver, comment="再確認")
    case.refresh_from_db()
    assert case.status == (CaseStatus.INVESTIGATING if returned else CaseStatus.IN_REVIEW)
    assert Decision.objects.filter(case=case, status=DecisionStatus.APPROVED).exists()
    return case


def test_no_undo_of_a_merge_once_the_survivors_decision_was_approved_even_back_in_review(
    teller, supervisor, other_supervisor, pair
):
    survivor, duplicate = pair
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    decided_then_reopened(survivor, teller, supervisor, other_supervisor)
    merge = CaseMerge.objects.get(pk=merge.pk)
    assert "決定" in (services.undo_refusal(user=supervisor, merge=merge) or "")
    with pytest.raises(services.MergeError, match="決定"):
        services.case_merge_undo(merge=merge, user=supervisor)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    # Nor does the case page offer it.
    html = supervisor_page(survivor, supervisor)
    assert 'data-testid="merged-case"' in html and 'data-testid="merge-undo"' not in html


def test_a_case_decided_once_is_never_merged_into_another_nor_offered(
    teller, supervisor, other_supervisor, pair
):
    survivor, duplicate = pair
    decided_then_reopened(duplicate, teller, supervisor, other_supervisor, returned=True)
    assert duplicate not in merge_candidates(user=supervisor, case=survivor)
    with pytest.raises(services.MergeError, match="決定"):
        services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.INVESTIGATING and not CaseMerge.objects.exists()


def test_nothing_is_merged_into_a_case_decided_once(teller, supervisor, other_supervisor, pair):
    survivor, duplicate = pair
    decided_then_reopened(survivor, teller, supervisor, other_supervisor)
    assert merge_candidates(user=supervisor, case=survivor) == []
    with pytest.raises(services.MergeError, match="決定"):
        services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    assert not CaseMerge.objects.exists()


def test_two_open_reports_of_one_customer_are_still_offered_and_merged(supervisor, pair):
    survivor, duplicate = pair
    assert duplicate in merge_candidates(user=supervisor, case=survivor)
    assert services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)


def supervisor_page(case: Case, supervisor) -> str:
    from django.test import Client

    client = Client()
    client.force_login(supervisor)
    return client.get(case.get_absolute_url()).content.decode()
