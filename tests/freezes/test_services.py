"""Freeze cases (口座凍結) under the Remedy Act: opening, the periods on the business calendar,
the applications and the four-eyes distribution (docs/domain.md §9.1)."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse

from compensation import services
from compensation.choices import ApplicationStatus, DecisionStatus, FreezeStatus
from compensation.models import DistributionDecision, FreezeCase, PolicyVersion
from compensation.services import DecisionError, StaleFreezeError
from tests import factories

from .conftest import transfer
from .support import D, fresh, stamp

pytestmark = pytest.mark.django_db


def test_a_supervisor_freezes_a_candidate_through_the_core_banking_interface(desk, supervisor):
    freeze = desk.open()
    assert freeze.status == FreezeStatus.FROZEN
    assert freeze.stop_reference.startswith("STP-")
    assert (freeze.bank, freeze.account_number, freeze.account_name) == (
        "まもり銀行",
        "9876543",
        "サギ タロウ",
    )
    assert freeze.branch_id == supervisor.branch_id


def test_an_account_is_frozen_once_while_its_case_is_open(desk):
    desk.open()
    with pytest.raises(DecisionError, match="すでに凍結"):
        desk.open()
    assert FreezeCase.objects.count() == 1


def test_a_teller_cannot_open_a_freeze_case(teller, candidate_key):
    with pytest.raises(DecisionError):
        services.freeze_case_open(user=teller, key=candidate_key, balance=1)
    assert not FreezeCase.objects.exists()


def test_an_account_that_is_not_a_candidate_is_refused(supervisor, candidate_key):
    with pytest.raises(DecisionError, match="候補"):
        services.freeze_case_open(user=supervisor, key="ミライ|本店|0000001", balance=1)


def test_an_account_at_another_bank_is_refused_in_japanese_and_nothing_is_asked_of_the_core(
    teller, supervisor
):
    from incidents.models import CoreRequest
    from incidents.models.search import payee_account_key

    other_bank = ("みらい銀行", "本店", "1234500", "サギ ジロウ")
    transfer(teller, "320001", payee=other_bank)
    transfer(teller, "320002", payee=other_bank)
    with pytest.raises(DecisionError, match="当行（まもり銀行）の口座に限ります") as refused:
        services.freeze_case_open(
            user=supervisor, key=payee_account_key(*other_bank[:3]), balance=1_000
        )
    assert "みらい銀行 本店 1234500 は他行の口座" in refused.value.problems[0]
    assert not FreezeCase.objects.exists() and not CoreRequest.objects.exists()


def test_our_bank_named_with_an_unknown_branch_is_not_ours(teller, supervisor):
    from incidents.models.search import payee_account_key

    nowhere = ("まもり銀行", "大阪支店", "1234501", "サギ サブロウ")  # no such branch of ours
    transfer(teller, "330001", payee=nowhere)
    transfer(teller, "330002", payee=nowhere)
    with pytest.raises(DecisionError, match="他行の口座"):
        services.freeze_case_open(user=supervisor, key=payee_account_key(*nowhere[:3]), balance=1)
    assert not FreezeCase.objects.exists()


def test_the_core_is_asked_to_stop_the_account_by_our_branchs_code(desk):
    from compensation.services.freeze_core import freeze_stop

    stop = freeze_stop(desk.open(), requested_by="supervisor")
    assert (stop.account_branch, stop.account_number) == ("001", "9876543")


def test_the_notice_runs_60_days_moved_to_the_next_business_day(desk):
    freeze = desk.notice(desk.open(), reference="DIC-2026-001")
    # 2026-10-07 + 60 days is Sunday 2026-12-06: the last day is Monday 2026-12-07.
    assert freeze.notice_ends_on == D(2026, 12, 7)
    assert freeze.status == FreezeStatus.NOTICE
    assert freeze.notice_reference == "DIC-2026-001"


def test_the_application_period_runs_30_days_past_the_year_end_closure(desk):
    freeze = desk.notice(desk.open(), requested_on=D(2026, 9, 25), starts_on=D(2026, 10, 1))
    assert freeze.notice_ends_on == D(2026, 11, 30)  # a Monday, open
    freeze = desk.applications(freeze, opens_on=D(2026, 12, 1))
    # 2026-12-01 + 30 days is 12/31, closed with 1/1–1/3: the last day is Monday 2027-01-04.
    assert freeze.application_ends_on == D(2027, 1, 4)
    assert freeze.status == FreezeStatus.APPLICATIONS


def test_the_periods_follow_the_policy_version_in_force(desk):
    PolicyVersion.objects.create(
        valid_from=D(2027, 1, 1), remedy_notice_days=90, remedy_application_days=45
    )
    freeze = desk.notice(desk.open(), requested_on=D(2027, 1, 20), starts_on=D(2027, 2, 1))
    # 2027-02-01 + 90 days is Sunday 5/2, then Golden Week (5/3–5/5): Thursday 2027-05-06.
    assert freeze.notice_ends_on == D(2027, 5, 6)
    freeze = desk.applications(freeze, opens_on=D(2027, 5, 10))
    assert freeze.application_ends_on == D(2027, 6, 24)  # + 45 days, a Thursday


def test_the_law_s_minimum_periods_are_kept_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.create(valid_from=D(2028, 1, 1), remedy_notice_days=59)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.create(valid_from=D(2028, 1, 1), remedy_application_days=29)


def test_applications_cannot_open_before_the_notice_ends(desk):
    freeze = desk.notice(desk.open())
    with pytest.raises(DecisionError, match="2026/12/07"):
        desk.applications(freeze, opens_on=D(2026, 12, 7))


def test_a_stale_form_is_refused_with_the_freeze_case_as_it_now_stands(desk, supervisor):
    freeze = desk.open()
    rendered = stamp(freeze)
    desk.notice(freeze, reference="DIC-1")
    with pytest.raises(StaleFreezeError) as refused:
        services.freeze_notice_record(
            freeze=freeze,
            user=supervisor,
            stamp=rendered,
            requested_on=D(2026, 10, 1),
            reference="DIC-2",
            starts_on=D(2026, 10, 7),
        )
    assert refused.value.current.notice_reference == "DIC-1"
    assert refused.value.current.version == fresh(freeze).version
    assert fresh(freeze).notice_reference == "DIC-1"


def test_the_same_application_form_posted_twice_records_one_application(desk, supervisor):
    from incidents.cases.edits import EditReplayed

    freeze = desk.in_applications()
    posted = stamp(freeze, digest="applicant=被害 花子")
    arguments = {
        "freeze": freeze,
        "user": supervisor,
        "stamp": posted,
        "applicant_name": "被害 花子",
        "applicant_contact": "",
        "received_on": D(2026, 12, 10),
        "claimed_amount": 300_000,
    }
    services.application_record(**arguments)
    version = fresh(freeze).version
    with pytest.raises(EditReplayed):
        services.application_record(**arguments)
    assert freeze.applications.count() == 1
    assert fresh(freeze).version == version
    assert freeze.edits.filter(key=posted.key).count() == 1


def test_each_write_raises_the_version_once_and_is_recorded_under_its_form(desk, supervisor):
    freeze = desk.in_applications()
    # opened at 1, the notice and the application period: two edits, each one version.
    assert fresh(freeze).version == 3
    assert list(freeze.edits.values_list("action", "version", "user")) == [
        ("freeze_notice", 2, supervisor.pk),
        ("freeze_applications", 3, supervisor.pk),
    ]
    with pytest.raises(Exception, match="append-only table"), transaction.atomic():
        freeze.edits.update(action="x")
    with pytest.raises(Exception, match="append-only table"), transaction.atomic():
        freeze.events.all().delete()


def test_another_branch_s_supervisor_cannot_record(desk, other_branch):
    foreign = factories.staff("supervisor_b", "supervisor", other_branch)
    freeze = desk.open()
    with pytest.raises(DecisionError, match="担当店"):
        desk.notice(freeze, user=foreign)
    assert fresh(freeze).version == freeze.version


def test_applications_are_accepted_or_rejected_with_a_reason(desk):
    freeze = desk.in_applications()
    accepted = desk.apply(freeze, "被害 花子", 300_000)
    rejected = desk.apply(freeze, "申請 次郎", 50_000, accept=False)
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert accepted.status == ApplicationStatus.ACCEPTED
    assert rejected.status == ApplicationStatus.REJECTED
    assert rejected.decision_reason == "振込の記録がない"
    pending = desk.apply(freeze, "未定 三郎", 1_000, accept=None)
    with pytest.raises(DecisionError, match="理由"):
        desk.decide(pending, accept=True, reason="  ")


def test_the_distribution_uses_the_rules_on_accepted_claims_only(desk):
    freeze = desk.in_applications(balance=400_000)
    a = desk.apply(freeze, "被害 花子", 300_000)
    b = desk.apply(freeze, "被害 太郎", 200_000)
    desk.apply(freeze, "申請 次郎", 900_000, accept=False)
    decision = desk.submit(freeze)
    assert decision.facts == {
        "balance": 400_000,
        "claims": [{"id": str(a.pk), "amount": 300_000}, {"id": str(b.pk), "amount": 200_000}],
    }
    assert decision.result["payments"] == [
        {"id": str(a.pk), "amount": 240_000},
        {"id": str(b.pk), "amount": 160_000},
    ]
    assert decision.result["undistributed"] == 0


def test_the_distribution_waits_for_the_period_and_every_decision(desk):
    freeze = desk.in_applications()
    desk.apply(freeze, "未定 三郎", 1_000, accept=None)
    with pytest.raises(DecisionError) as refused:
        desk.submit(freeze, today=D(2027, 1, 7))
    assert len(refused.value.problems) == 2  # the period (to 2027-01-07) and the pending one


def test_the_preparer_cannot_approve_their_own_distribution(desk, supervisor):
    decision = desk.submitted()
    with pytest.raises(DecisionError, match="四つの目"):
        services.distribution_approve(
            decision=decision, user=supervisor, stamp=stamp(decision.freeze_case)
        )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED


def test_the_database_refuses_a_reviewer_who_prepared(desk, approver, branch):
    from .support import FreezeDesk

    freeze = desk.in_applications()  # opened by the supervisor
    application = desk.apply(freeze, "被害 花子", 300_000, accept=None)
    FreezeDesk(approver, desk.key).decide(application, accept=True)
    preparer = factories.staff("preparer", "supervisor", branch)  # recorded no fact
    decision = FreezeDesk(preparer, desk.key).submit(fresh(freeze))
    with pytest.raises(IntegrityError), transaction.atomic():
        DistributionDecision.objects.filter(pk=decision.pk).update(
            reviewed_by=preparer, status="approved", reviewed_at=decision.prepared_at
        )


def assert_database_refuses_review(decision, reviewer) -> None:
    """The database's half of four eyes: the trigger refuses ``reviewer`` on the row itself."""
    with pytest.raises(DatabaseError, match="review refused"), transaction.atomic():
        DistributionDecision.objects.filter(pk=decision.pk).update(
            reviewed_by=reviewer, status="approved", reviewed_at=decision.prepared_at
        )


def assert_a_third_supervisor_approves(decision, branch) -> None:
    """A supervisor who recorded nothing of the freeze case approves it."""
    third = factories.staff("third", "supervisor", branch)
    services.distribution_approve(
        decision=decision, user=third, stamp=stamp(fresh(decision.freeze_case))
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED and decision.reviewed_by == third


def test_a_supervisor_who_decided_an_application_cannot_review_its_distribution(
    desk, supervisor, approver, branch, client
):
    """Four eyes over the facts, as for a compensation decision: the accepted claims are the
    distribution's findings, so whoever accepted or rejected one neither approves nor returns it
    (refused by the service, not offered on the page, refused by the database); a third
    supervisor may."""
    from .support import FreezeDesk

    freeze = desk.in_applications()
    application = desk.apply(freeze, "被害 花子", 300_000, accept=None)
    FreezeDesk(approver, desk.key).decide(application, accept=True)  # the approver's finding
    decision = desk.submit(fresh(freeze))
    for review in (services.distribution_approve, services.distribution_return):
        extra = {"comment": "再計算を"} if review is services.distribution_return else {}
        with pytest.raises(DecisionError, match="認容・却下した役席"):
            review(decision=decision, user=approver, stamp=stamp(fresh(freeze)), **extra)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED and decision.reviewed_by is None

    client.force_login(approver)
    page = client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk})).content.decode()
    assert 'data-testid="approve-distribution"' not in page
    assert 'data-testid="review-refusal"' in page

    assert_database_refuses_review(decision, approver)

    assert_a_third_supervisor_approves(decision, branch)


def test_the_supervisor_who_opened_the_freeze_case_cannot_review_its_distribution(
    desk, supervisor, approver, branch
):
    """The balance when frozen is a fact the distribution rests on, typed by whoever opened the
    freeze case: that supervisor neither approves nor returns it (service and database)."""
    from .support import FreezeDesk

    freeze = desk.in_applications()  # opened by the supervisor
    other = FreezeDesk(approver, desk.key)
    application = other.apply(freeze, "被害 花子", 300_000, accept=None)
    other.decide(application, accept=True)
    decision = other.submit(fresh(freeze))  # prepared by the approver
    with pytest.raises(DecisionError, match="凍結時の残高を記録した役席"):
        services.distribution_approve(
            decision=decision, user=supervisor, stamp=stamp(fresh(freeze))
        )
    assert_database_refuses_review(decision, supervisor)
    assert_a_third_supervisor_approves(decision, branch)


def test_a_second_supervisor_approves_and_the_decision_is_final(desk, approver):
    decision = desk.submitted()
    services.distribution_approve(
        decision=decision, user=approver, stamp=stamp(decision.freeze_case)
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert decision.reviewed_by == approver
    assert fresh(decision.freeze_case).status == FreezeStatus.DECIDED
    with (
        pytest.raises(Exception, match="cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE compensation_distributiondecision SET balance = 1 WHERE id = %s",
            [decision.pk],
        )


def test_no_application_is_recorded_under_a_distribution_in_review(desk, approver, client):
    decision = desk.submitted()
    freeze = decision.freeze_case
    client.force_login(approver)
    page = client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk})).content.decode()
    assert 'data-testid="application-form"' not in page  # not offered…
    with pytest.raises(DecisionError, match="審査中"):  # …and refused
        services.application_record(
            freeze=freeze,
            user=approver,
            stamp=stamp(freeze),
            applicant_name="後入 次郎",
            applicant_contact="03",
            received_on=D(2026, 12, 20),
            claimed_amount=900_000,
        )
    assert freeze.applications.count() == 1
    # Returned to its preparer, the application is recorded and the distribution computed again.
    services.distribution_return(
        decision=decision, user=approver, stamp=stamp(freeze), comment="申請が追加された"
    )
    desk.apply(fresh(freeze), "後入 次郎", 900_000)
    again = desk.submit(fresh(freeze))
    assert len(again.facts["claims"]) == 2


def test_an_approval_is_refused_when_the_facts_moved_after_submission(desk, approver):
    decision = desk.submitted()
    freeze = decision.freeze_case
    # However a fact moved under the review (here the frozen balance, behind the services' back),
    # the second supervisor cannot approve what was not submitted.
    FreezeCase.objects.filter(pk=freeze.pk).update(balance=350_000)
    with pytest.raises(DecisionError, match="変わりました"):
        services.distribution_approve(decision=decision, user=approver, stamp=stamp(fresh(freeze)))
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SUBMITTED
    assert fresh(freeze).status != FreezeStatus.DECIDED


def test_a_returned_distribution_can_be_prepared_again(desk, approver):
    decision = desk.submitted()
    freeze = decision.freeze_case
    services.distribution_return(
        decision=decision, user=approver, stamp=stamp(freeze), comment="残高を再確認"
    )
    again = desk.submit(freeze)
    assert again.status == DecisionStatus.SUBMITTED
    assert freeze.distribution_decisions.count() == 2


def test_remedy_distribution_reproduces_a_stored_decision(desk):
    from compensation.management.commands.remedy_distribution import distribution_json

    decision = desk.submitted()
    reproduced = distribution_json(json.dumps(decision.facts).encode("utf-8"))
    assert json.loads(reproduced) == decision.result
