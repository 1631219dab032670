"""The periodic scan: remind, mark overdue, escalate, each step once, a batch of deadlines at a time.

How exactly-once holds (docs/architecture.md §5): each batch is one transaction that locks its due
rows and their cases' rows (``SKIP LOCKED``: a second scan running at the same time takes other
rows, and the deadlines of a case being edited wait for the next run untouched), takes
each kind of step for the whole batch in one compare-and-swap ``UPDATE … WHERE id = ANY(…) AND
state = … RETURNING id``, and writes the notices and timeline lines of exactly the rows that
statement returned, in multi-row inserts, in the same transaction. A step is therefore recorded
with its notices or not at all, and never twice. The scan stops at a row or time budget and leaves
what is still due for the next run, which finds it by the same indexed selection.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from incidents.deadlines.calendar import BusinessCalendar
from incidents.deadlines.notices import (
    DeadlineWording,
    _fmt,
)
from incidents.deadlines.policies import LAST_ESCALATION_LEVEL, policies_all
from incidents.deadlines.scan_lines import ScanRow, ScanStaff, scan_lines_write
from incidents.models import Branch, Case, Deadline, DeadlinePolicy, User
from incidents.models.choices import (
    DeadlineKind,
    DeadlineState,
    Role,
)

# Deadlines locked and stepped in one transaction: large enough that a statement's fixed cost is
# shared by many rows, small enough that a deadline met meanwhile waits a moment at most.
BATCH_SIZE = 1000
# Beat starts a scan every 60 seconds; one run stops starting batches after this, so a burst
# (50,000 due after a long weekend) is handed on to the next run rather than piling runs up.
TIME_BUDGET = timedelta(seconds=40)
# At most this many deadlines in one run, whatever the time.
ROW_BUDGET = 100_000

# What a step reads of a locked deadline; the wording reads the case number and the branch name.
_STEP_COLUMNS = (
    "pk",
    "case_id",
    "case__number",
    "branch_id",
    "branch__name",
    "kind",
    "due_at",
    "state",
    "owner_id",
    "reminded_at",
    "escalation_level",
    "next_action_at",
)


@dataclass(frozen=True)
class ScanAction:
    """One thing the scan did to one deadline."""

    deadline_id: int
    case_number: str
    kind: str
    action: str  # reminded, overdue, escalated, re_escalated
    due_at: datetime
    recipients: tuple[str, ...]

    def __str__(self) -> str:
        who = ", ".join(self.recipients) or "-"
        return (
            f"{self.action:<12} {self.case_number:<16} {self.kind:<20} "
            f"due {_fmt(self.due_at)} → {who}"
        )


@dataclass
class ScanResult:
    """What one scan did, and whether it left due deadlines for the next run (a budget ran out)."""

    now: datetime
    examined: int = 0
    actions: list[ScanAction] = field(default_factory=list)
    batches: int = 0
    left_for_next_run: bool = False

    def count(self, action: str) -> int:
        return sum(1 for done in self.actions if done.action == action)

    def summary(self) -> dict[str, int]:
        return {
            "examined": self.examined,
            "reminded": self.count("reminded"),
            "overdue": self.count("overdue"),
            "escalated": self.count("escalated"),
            "re_escalated": self.count("re_escalated"),
        }


def deadlines_due_ids(*, now: datetime, limit: int = 5000) -> list[int]:
    """Deadlines whose next step is due: one range read on the partial index of next_action_at."""
    return list(
        Deadline.objects.filter(next_action_at__lte=now)
        .order_by("next_action_at")
        .values_list("pk", flat=True)[:limit]
    )


def deadlines_scan(
    *,
    now: datetime | None = None,
    limit: int = ROW_BUDGET,
    batch_size: int = BATCH_SIZE,
    time_budget: timedelta = TIME_BUDGET,
) -> ScanResult:
    """Remind, mark overdue, escalate and re-escalate the deadlines whose next step is due, a batch
    at a time, until none is left or ``limit`` rows or ``time_budget`` are spent (the first batch
    always runs, so every run makes progress)."""
    now = now or timezone.now()
    result = ScanResult(now=now)
    steps = _Steps(now)
    started = time.monotonic()
    while True:
        room = min(batch_size, limit - result.examined)
        spent = timedelta(seconds=time.monotonic() - started)
        if room <= 0 or (result.batches and spent >= time_budget):
            result.left_for_next_run = Deadline.objects.filter(next_action_at__lte=now).exists()
            break
        with transaction.atomic():
            rows = _lock_due(now, room)
            result.actions.extend(steps.take(rows))
        result.examined += len(rows)
        result.batches += 1 if rows else 0
        if not rows:
            # Nothing more is due, or what is due is locked by another scan that is taking it, or
            # its case is being edited (left as it is for the next run). A short batch is not the
            # end: the rows skipped may have been held only by a batch of another scan that has
            # stopped since, so the scan asks again until a batch finds nothing; every batch
            # takes its rows out of the due set, so this ends.
            break
    return result


def _lock_due(now: datetime, room: int) -> list[ScanRow]:
    """Lock up to ``room`` due deadlines, in the order they fell due, with their cases' rows.

    Neither lock waits (``SKIP LOCKED``): a deadline another scan holds, or whose case an edit
    holds (``case_edit`` locks the case row first), is left untouched for the next run. Holding
    the case row is what keeps the scan out of a wait cycle with an edit that goes on to close
    the deadline: every row the scan writes that waits on the case (the webhooks' counter, the
    deferred foreign-key checks of its timeline lines at commit) belongs to a case it holds, and
    an edit of that case waits for this batch at its first lock, holding nothing the scan needs.
    The case row is locked ``FOR NO KEY UPDATE``: other transactions' foreign-key checks on it
    (``KEY SHARE``) do not wait for the batch.
    """
    deadline, case = Deadline._meta.db_table, Case._meta.db_table
    branch = Branch._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.case_id, c.number, d.branch_id, b.name, d.kind, d.due_at, d.state, "  # noqa: S608 - this module's SQL; values are parameters
            "d.owner_id, d.reminded_at, d.escalation_level, d.next_action_at "
            f"FROM {deadline} AS d JOIN {case} AS c ON c.id = d.case_id "
            f"JOIN {branch} AS b ON b.id = d.branch_id "
            "WHERE d.next_action_at <= %s ORDER BY d.next_action_at LIMIT %s "
            "FOR UPDATE OF d SKIP LOCKED FOR NO KEY UPDATE OF c SKIP LOCKED",
            [now, room],
        )
        return [ScanRow(values) for values in cursor.fetchall()]


def deadline_advance(*, deadline_id: int, now: datetime) -> list[ScanAction]:
    """Take every step of one deadline that is due at ``now``, each once.

    Unlike the scan it waits for the rows another transaction holds, then finds the deadline no
    longer due. It locks the case row first, as an edit does (``case_edit``), so that it never
    holds the deadline while waiting for an edit that goes on to close it.
    """
    with transaction.atomic():
        case_id = Deadline.objects.filter(pk=deadline_id).values_list("case_id", flat=True).first()
        if case_id is None:
            return []
        list(Case.objects.filter(pk=case_id).select_for_update(no_key=True).values_list("pk"))
        # Moved to another case meanwhile (a merge): the scan takes it with that case.
        due = _due(now).filter(pk=deadline_id, case_id=case_id).select_for_update(of=("self",))
        return _Steps(now).take([ScanRow(values) for values in due])


def _due(now: datetime) -> QuerySet:
    return Deadline.objects.filter(next_action_at__lte=now).values_list(*_STEP_COLUMNS)


class _Steps:
    """The steps of locked, due deadlines, one statement per kind of step for a whole batch."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.staff = ScanStaff()
        self.policies: dict[str, DeadlinePolicy] | None = None
        self.branch_hours = BusinessCalendar().is_branch_hours(now)
        self.wording = DeadlineWording()

    def take(self, rows: list[ScanRow]) -> list[ScanAction]:
        """Step ``rows`` (due and locked by the caller's transaction); say what was done."""
        if not rows:
            return []
        if self.policies is None:
            self.policies = policies_all()
        now = self.now
        self.staff.load_owners(row.owner_id for row in rows)
        by_id = {row.pk: row for row in rows}
        done: list[tuple[ScanRow, str, list[User]]] = []

        def open_(row: ScanRow) -> bool:
            return row.state == DeadlineState.OPEN

        # Before the due time: the reminder (once; a deadline already reminded waits for its due).
        early = [row for row in rows if open_(row) and now < row.due_at]
        reminded_before = [row for row in early if row.reminded_at is not None]
        for row in self._swap(
            [r for r in early if r.reminded_at is None],
            "reminded_at = %(now)s, next_action_at = d.due_at",
            "d.state = 'open' AND d.reminded_at IS NULL",
        ):
            row.reminded_at, row.next_action_at = now, row.due_at
            done.append((row, "reminded", self._owner_or_branch(row)))
        for row in self._swap(
            reminded_before,
            "next_action_at = d.due_at",
            "d.state = 'open' AND d.reminded_at IS NOT NULL",
        ):
            row.next_action_at = row.due_at
        # Past the due time: overdue; and escalated in the same statement when the policy's
        # delay has passed too (both steps are recorded, the row is written once).
        late = [row for row in rows if open_(row) and row.due_at <= now]
        straight = [row for row in late if row.due_at + self._policy(row).escalate_after <= now]
        straight_ids, late_ids = {row.pk for row in straight}, {row.pk for row in late}
        escalate_after = self._by_kind("escalate_after")
        re_escalate_after = self._by_kind("re_escalate_after")
        for row in self._swap(
            [row for row in late if row.pk not in straight_ids],
            f"state = 'overdue', next_action_at = d.due_at + {escalate_after[0]}",
            "d.state = 'open'",
            escalate_after[1],
        ):
            row.state = DeadlineState.OVERDUE
            row.next_action_at = row.due_at + self._policy(row).escalate_after
            done.append((row, "overdue", self._owner(row)))
        escalate = "state = 'escalated', escalation_level = 1, escalated_at = %(now)s, "
        escalate += f"next_action_at = %(now)s + {re_escalate_after[0]}"
        for row in self._swap(straight, escalate, "d.state = 'open'", re_escalate_after[1]):
            row.state, row.escalation_level = DeadlineState.ESCALATED, 1
            row.next_action_at = now + self._policy(row).re_escalate_after
            done.append((row, "overdue", self._owner(row)))
            done.append((row, "escalated", self._escalation_recipients(row)))
        for row in self._swap(
            [
                r
                for r in rows
                if r.state == DeadlineState.OVERDUE
                and r.escalation_level == 0
                and r.pk not in late_ids
                and r.next_action_at is not None
                and r.next_action_at <= now
            ],
            escalate,
            "d.state = 'overdue' AND d.escalation_level = 0",
            re_escalate_after[1],
        ):
            row.state, row.escalation_level = DeadlineState.ESCALATED, 1
            row.next_action_at = now + self._policy(row).re_escalate_after
            done.append((row, "escalated", self._escalation_recipients(row)))
        for row in self._swap(
            [
                r
                for r in rows
                if r.state == DeadlineState.ESCALATED
                and r.escalation_level == 1
                and r.next_action_at is not None
                and r.next_action_at <= now
            ],
            "escalation_level = %(last)s, escalated_at = %(now)s, next_action_at = NULL",
            "d.state = 'escalated' AND d.escalation_level = 1",
            {"last": LAST_ESCALATION_LEVEL},
        ):
            row.escalation_level = LAST_ESCALATION_LEVEL
            row.next_action_at = None
            done.append((row, "re_escalated", self.staff.with_role(Role.COMPLIANCE)))
        # Nothing left to do (e.g. a row edited by hand): stop looking at it.
        for row in self._swap(
            [r for r in rows if r.next_action_at is not None and r.next_action_at <= now],
            "next_action_at = NULL",
            "d.next_action_at <= %(now)s",
        ):
            row.next_action_at = None
        scan_lines_write(done, self.staff, self.wording, branch_hours=self.branch_hours)
        # Deadline by deadline, in the order they fell due, each one's steps in order.
        order = {pk: index for index, pk in enumerate(by_id)}
        done.sort(key=lambda item: order[item[0].pk])
        return [_action(row, action, recipients) for row, action, recipients in done]

    def _swap(
        self, rows: list[ScanRow], assign: str, condition: str, params: dict | None = None
    ) -> list[ScanRow]:
        """One compare-and-swap for ``rows``; the rows it changed, in their order."""
        if not rows:
            return []
        table = Deadline._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS d SET {assign} "  # noqa: S608 - this module's SQL; values are parameters
                f"WHERE d.id = ANY(%(ids)s) AND {condition} RETURNING d.id",
                {"ids": [row.pk for row in rows], "now": self.now, **(params or {})},
            )
            changed = {pk for (pk,) in cursor.fetchall()}
        return [row for row in rows if row.pk in changed]

    def _by_kind(self, name: str) -> tuple[str, dict]:
        """A SQL ``CASE`` giving each kind's policy interval ``name``, and its parameters."""
        assert self.policies is not None
        whens, params = [], {}
        for index, (kind, policy) in enumerate(sorted(self.policies.items())):
            whens.append(f"WHEN %({name}_k{index})s THEN %({name}_v{index})s::interval")
            params[f"{name}_k{index}"], params[f"{name}_v{index}"] = kind, getattr(policy, name)
        return f"(CASE d.kind {' '.join(whens)} END)", params

    def _policy(self, row: ScanRow) -> DeadlinePolicy:
        assert self.policies is not None
        return self.policies[row.kind]

    def _owner(self, row: ScanRow) -> list[User]:
        owner = self.staff.user(row.owner_id)
        return [owner] if owner is not None and owner.is_active else []

    def _owner_or_branch(self, row: ScanRow) -> list[User]:
        owner = self._owner(row)
        if owner:
            return owner
        if row.kind == DeadlineKind.SUPERVISOR_REVIEW:
            return self.staff.of_branch(row.branch_id, (Role.SUPERVISOR,))
        return self.staff.of_branch(row.branch_id, (Role.TELLER, Role.SUPERVISOR))

    def _escalation_recipients(self, row: ScanRow) -> list[User]:
        recipients = (
            self.staff.of_branch(row.branch_id, (Role.SUPERVISOR,)) if self.branch_hours else []
        )
        # After hours (or a branch without a supervisor) the monitoring center is on duty.
        return recipients or self.staff.with_role(Role.MONITORING)


def _action(deadline: ScanRow, action: str, recipients: list[User]) -> ScanAction:
    return ScanAction(
        deadline_id=deadline.pk,
        case_number=deadline.number,
        kind=deadline.kind,
        action=action,
        due_at=deadline.due_at,
        recipients=tuple(user.username for user in recipients),
    )
