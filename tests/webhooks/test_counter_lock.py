"""An edit and the deadline scan on the same case never deadlock over the webhooks' counter.

Two real transactions in two threads, each on its own connection to the real database, stopped at
the exact points of the interleaving by a receiver of ``timeline_written`` (it runs after the
outbox's, so the counter is taken when it stops). The approval of a decision is the edit: it writes
``decision.approved`` (the counter) and then meets the case's supervisor-review deadline, the row
the scan locks when that deadline is overdue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from compensation import services as compensation_services
from incidents import deadlines
from incidents.cases.services.timeline import timeline_record
from incidents.cases.signals import timeline_written
from incidents.models import Deadline
from tests import factories
from tests.compensation.support import confirm_suggested_faults, fresh
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


class Step:
    """A thread's run in its own connection: its backend pid, its result or its error."""

    def __init__(self, target: Callable[[], object]) -> None:
        self.pid: int | None = None
        self.result: object = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(target,))

    def _run(self, target: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self.result = target()
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            connections.close_all()

    def start(self) -> Step:
        self.thread.start()
        return self

    def waits_on_a_lock_or_ends(self, timeout: float = 10.0) -> str:
        """Poll until the thread's transaction waits for a row lock (or the thread is done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.thread.is_alive():
                return "done"
            if self.pid is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [self.pid]
                    )
                    row = cursor.fetchone()
                if row is not None and row[0] == "Lock":
                    return "waiting"
            time.sleep(0.02)
        raise AssertionError("the thread neither waited on a lock nor finished")

    def reaches(self, pause: PauseAt) -> None:
        """Wait until the thread stopped at ``pause`` (failing with its error if it ended)."""
        deadline = time.monotonic() + 30
        while not pause.reached.wait(timeout=0.05):
            assert self.thread.is_alive(), f"ended before its pause: {self.error!r}"
            assert time.monotonic() < deadline, "never reached its pause"

    def join(self) -> None:
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


class PauseAt:
    """Stop one thread inside its transaction right after the outbox wrote a line of ``kind``."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.thread: threading.Thread | None = None
        self.reached, self.go_on = threading.Event(), threading.Event()

    def __call__(self, sender, lines, **kwargs) -> None:
        if threading.current_thread() is self.thread and any(
            line.kind == self.kind for line in lines
        ):
            self.reached.set()
            assert self.go_on.wait(timeout=30)

    def __enter__(self) -> PauseAt:
        timeline_written.connect(self, dispatch_uid="test-counter-lock-pause")
        return self

    def __exit__(self, *exc) -> None:
        self.go_on.set()
        timeline_written.disconnect(dispatch_uid="test-counter-lock-pause")


@pytest.fixture
def case_in_review_overdue(endpoint, teller, supervisor):
    """A case in review whose supervisor review and customer documents are overdue, and its decision."""
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = compensation_services.decision_submit(case=fresh(case), user=supervisor)
    past = timezone.now() - timedelta(hours=1)
    owed = Deadline.objects.filter(case=case, kind__in=["supervisor_review", "customer_documents"])
    assert owed.update(due_at=past, next_action_at=past) == 2
    return case, decision


def events_of(case) -> list[tuple[int, str, object]]:
    return [
        (event.sequence, event.type, event.payload["data"].get("deadline_kind"))
        for event in WebhookEvent.objects.filter(case=case).order_by("sequence")
    ]


def scan_once() -> object:
    return deadlines.deadlines_scan()


def advance_review(case) -> Callable[[], object]:
    review = Deadline.objects.get(case=case, kind="supervisor_review")
    return lambda: deadlines.deadline_advance(deadline_id=review.pk, now=timezone.now())


def approval(case, decision, supervisor) -> tuple[Callable[[], object], str, str]:
    """The guarded edit (``case_edit``): approve, which meets the review deadline."""
    return (
        lambda: compensation_services.decision_approve(decision=decision, user=supervisor),
        "status_changed",
        "decision.approved",
    )


def unguarded(case, decision, supervisor) -> tuple[Callable[[], object], str, str]:
    """A writer outside ``case_edit``: a confirmed stop's line, then the review deadline met."""

    def write() -> None:
        with transaction.atomic():
            timeline_record(case=case, actor=None, kind="stop_done", data={"item": 1})
            deadlines.deadline_meet(case=case, kind="supervisor_review")

    return write, "stop_done", "stop.confirmed"


@pytest.mark.parametrize(
    ("writer", "stepper"),
    [(approval, "scan"), (approval, "advance"), (unguarded, "scan")],
    ids=["approval-scan", "approval-advance", "unguarded-scan"],
)
def test_a_writer_holding_the_counter_and_a_scan_of_its_deadline_both_finish(
    case_in_review_overdue, other_supervisor, writer, stepper
):
    case, decision = case_in_review_overdue
    before = events_of(case)
    write, line, told = writer(case, decision, other_supervisor)
    with PauseAt(line) as pause:
        edit = Step(write)
        pause.thread = edit.thread
        edit.start()
        edit.reaches(pause)
        # The writer holds the case's counter; the scan (or one deadline's advance) starts.
        other = Step(scan_once if stepper == "scan" else advance_review(case)).start()
        other.waits_on_a_lock_or_ends()
        # The writer goes on to meet the review deadline the scan may have locked.
        pause.go_on.set()
        edit.join()
        other.join()
    assert edit.error is None, edit.error
    assert other.error is None, other.error
    # Met by the writer: the review never became overdue. The customer documents are stepped
    # now if the scan left them, once, after the writer's event.
    assert Deadline.objects.get(case=case, kind="supervisor_review").state == "met"
    deadlines.deadlines_scan()
    after = events_of(case)[len(before) :]
    assert after == [
        (len(before) + 1, told, None),
        (len(before) + 2, "deadline.overdue", "customer_documents"),
    ]
    assert [sequence for sequence, _t, _d in events_of(case)] == list(
        range(1, len(after) + 1 + len(before))
    )


def test_an_approval_started_while_the_scan_holds_the_case_waits_for_it_then_numbers_after(
    case_in_review_overdue, other_supervisor
):
    case, decision = case_in_review_overdue
    before = events_of(case)
    with PauseAt("deadline_overdue") as pause:
        scan = Step(scan_once)
        pause.thread = scan.thread
        scan.start()
        scan.reaches(pause)
        edit = Step(
            lambda: compensation_services.decision_approve(decision=decision, user=other_supervisor)
        ).start()
        assert edit.waits_on_a_lock_or_ends() == "waiting"
        pause.go_on.set()
        scan.join()
        edit.join()
    assert scan.error is None, scan.error
    assert edit.error is None, edit.error
    after = events_of(case)[len(before) :]
    assert after == [
        (len(before) + 1, "deadline.overdue", "customer_documents"),
        (len(before) + 2, "deadline.overdue", "supervisor_review"),
        (len(before) + 3, "decision.approved", None),
    ] or after == [
        (len(before) + 1, "deadline.overdue", "supervisor_review"),
        (len(before) + 2, "deadline.overdue", "customer_documents"),
        (len(before) + 3, "decision.approved", None),
    ]
    # The approval met the review deadline the scan had marked overdue.
    assert Deadline.objects.get(case=case, kind="supervisor_review").state == "met"
