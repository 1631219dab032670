"""The scan at volume: batches, two scans at once over thousands of due deadlines, and a run that
stops at its budget and hands the rest to the next run — each step's notice written once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connections
from django.db.models import Count

from incidents import deadlines
from incidents.devdata import scandata
from incidents.models import Deadline, TimelineEvent
from incidents.models.choices import DeadlineState
from notifications.models import Notification
from tests.deadlines.conftest import jst

# A Tuesday in branch hours: escalations go to the branch's supervisor.
NOW = jst(2026, 7, 21, 15, 1)


def owed(teller, branch, *, cases: int, due: int) -> list[int]:
    """``cases`` cases with four owed deadlines each, the first ``due`` of them due at NOW."""
    deadlines.policies_all()  # the policies as migrated (a flushed test database lost them)
    ids = scandata.cases_bulk(branch=branch, creator=teller, count=cases, history=False)
    return scandata.deadlines_bulk(
        case_ids=ids, owner=teller, branch=branch, now=NOW, due=due, far=NOW + timedelta(days=90)
    )


def assert_each_step_noticed_once(due: int) -> None:
    """Half the due deadlines reminded, half overdue and escalated: one notice and one timeline
    line each, no key twice."""
    kinds = Counter(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"reminder": due // 2, "overdue": due // 2, "escalation": due // 2}
    assert not Notification.objects.values("dedupe_key").annotate(n=Count("pk")).filter(n__gt=1)
    events = Counter(
        TimelineEvent.objects.filter(kind__startswith="deadline_").values_list("kind", flat=True)
    )
    assert events == {
        "deadline_reminded": due // 2,
        "deadline_overdue": due // 2,
        "deadline_escalated": due // 2,
    }
    assert not Deadline.objects.filter(next_action_at__lte=NOW).exists()


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_over_5000_due_deadlines_notice_each_step_once(
    teller, supervisor, branch
):
    owed(teller, branch, cases=1500, due=5000)
    start = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            start.wait(timeout=10)
            results.append(deadlines.deadlines_scan(now=NOW, batch_size=500))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    actions = Counter(action.action for result in results for action in result.actions)
    assert actions == {"reminded": 2500, "overdue": 2500, "escalated": 2500}
    assert sum(result.examined for result in results) == 5000
    assert_each_step_noticed_once(5000)
    assert Deadline.objects.filter(state=DeadlineState.ESCALATED).count() == 2500


@pytest.mark.django_db
def test_a_scan_stopped_by_its_row_budget_leaves_the_rest_to_the_next_run(
    teller, supervisor, branch
):
    owed(teller, branch, cases=10, due=30)
    first = deadlines.deadlines_scan(now=NOW, limit=12, batch_size=5)
    assert first.examined == 12 and first.batches == 3 and first.left_for_next_run
    assert Notification.objects.count() == len(first.actions)
    runs = [deadlines.deadlines_scan(now=NOW, limit=12, batch_size=5) for _n in range(3)]
    assert [run.examined for run in runs] == [12, 6, 0]
    assert [run.left_for_next_run for run in runs] == [True, False, False]
    assert_each_step_noticed_once(30)


@pytest.mark.django_db
def test_a_scan_out_of_time_stops_after_its_first_batch_and_the_next_run_goes_on(
    teller, supervisor, branch
):
    owed(teller, branch, cases=10, due=30)
    runs = []
    while not runs or runs[-1].left_for_next_run:
        runs.append(deadlines.deadlines_scan(now=NOW, batch_size=8, time_budget=timedelta(0)))
        assert len(runs) <= 5
    assert [run.examined for run in runs] == [8, 8, 8, 6]
    assert all(run.batches == 1 for run in runs)
    assert_each_step_noticed_once(30)


@pytest.mark.django_db
def test_a_batch_writes_its_notices_and_timeline_lines_in_one_insert_each(
    teller, supervisor, branch, django_assert_max_num_queries
):
    owed(teller, branch, cases=50, due=200)
    # Policies, users, the locked batch, five kinds of step, two inserts, savepoints: not per row.
    with django_assert_max_num_queries(20):
        result = deadlines.deadlines_scan(now=NOW)
    assert result.examined == 200 and result.batches == 1
    assert_each_step_noticed_once(200)


@pytest.mark.django_db
def test_a_row_no_step_applies_to_is_set_aside_once_and_not_selected_again(
    teller, supervisor, branch
):
    (first, second, *_rest) = owed(teller, branch, cases=1, due=2)
    # Edited by hand into a state no step follows from: overdue, yet already escalated once.
    Deadline.objects.filter(pk=first).update(state=DeadlineState.OVERDUE, escalation_level=1)
    result = deadlines.deadlines_scan(now=NOW)
    assert result.examined == 2 and {a.deadline_id for a in result.actions} == {second}
    assert Deadline.objects.get(pk=first).next_action_at is None
    assert deadlines.deadlines_scan(now=NOW).examined == 0


def test_bench_seeding_skips_the_case_history_trigger_only_when_asked(teller, branch):
    """The benchmarks' bypass (pgtrigger.ignore on the history trigger by its name) really skips
    the history rows: a renamed trigger would make it silently write them again."""
    from incidents.models import Case, CaseHistory

    history = CaseHistory.objects
    before = history.count()
    skipped = scandata.cases_bulk(branch=branch, creator=teller, count=5, history=False)
    assert Case.objects.filter(pk__in=skipped).count() == 5
    assert history.count() == before
    kept = scandata.cases_bulk(branch=branch, creator=teller, count=5, start=5)
    assert history.filter(pgh_obj_id__in=kept, pgh_label="insert").count() == 5
