"""Many owed deadlines at once, for the scan's benchmark and its tests at volume.

Cases and deadlines are built as model instances — every column the models have, their defaults,
the search column from ``incidents.models.search`` as the intake computes it — and written by
``bulk_create`` in multi-row inserts, so a column added to the models is filled here too (a raw
``INSERT`` listing columns once broke the benchmark). The case table's history trigger can be
skipped with ``pgtrigger.ignore``, the bypass pgtrigger documents for its triggers (the trigger
functions of migration 0006 read the ``pgtrigger.ignore`` session setting); synthetic cases have
no change history to keep.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta

import pgtrigger
from django.utils import timezone

from incidents.models import Branch, Case, Deadline, User, search
from incidents.models.choices import CaseStatus, DeadlineKind, DeadlineState, PoliceStatus

KINDS = (
    DeadlineKind.POLICE_REPORT,
    DeadlineKind.CUSTOMER_DOCUMENTS,
    DeadlineKind.AFTER_HOURS_PICKUP,
    DeadlineKind.SUPERVISOR_REVIEW,
)
# The case table's triggers (django-pghistory's, managed by pgtrigger) as pgtrigger names them.
CASE_HISTORY_TRIGGERS = ("incidents.Case:insert_insert",)
CHUNK = 5000
FIRST_SEQUENCE = 500_000  # above any number the intake hands out in a test or a demo


@contextmanager
def without_case_history() -> Iterator[None]:
    """Insert cases without their history rows (pgtrigger's documented, per-session bypass)."""
    with pgtrigger.ignore(*CASE_HISTORY_TRIGGERS):
        yield


def cases_bulk(
    *, branch: Branch, creator: User, count: int, start: int = 0, history: bool = True
) -> list[int]:
    """``count`` submitted cases (numbers ``start`` on), each as the intake leaves it; their ids."""
    now = timezone.now()
    year = timezone.localtime(now).year
    ids: list[int] = []
    for first in range(start, start + count, CHUNK):
        chunk = []
        for n in range(first, min(first + CHUNK, start + count)):
            sequence = FIRST_SEQUENCE + n
            number = f"{branch.code}-{year}-{sequence}"
            case = Case(
                branch=branch,
                number=number,
                year=year,
                sequence=sequence,
                status=CaseStatus.REPORTED,
                intake_step="submitted",
                notified_at=now,
                customer_number=f"{n % 1_000_000:06d}",
                customer_name="ベンチ 太郎",
                customer_name_kana="ベンチ タロウ",
                police_status=PoliceStatus.NOT_YET,
                created_by=creator,
                assigned_to=creator,
                submitted_by=creator,
                submitted_at=now,
            )
            case.search_text = search.search_text(
                number=case.number,
                customer_number=case.customer_number,
                customer_name=case.customer_name,
                customer_name_kana=case.customer_name_kana,
            )
            chunk.append(case)
        with nullcontext() if history else without_case_history():
            Case.objects.bulk_create(chunk)
        ids.extend(case.pk for case in chunk)
    return ids


def deadlines_bulk(
    *, case_ids: list[int], owner: User, branch: Branch, now: datetime, due: int, far: datetime
) -> list[int]:
    """One deadline of each kind per case; the first ``due`` are due at ``now`` (even ones need
    their reminder, odd ones are past due), the others fall due after ``far``; their ids."""
    rows = []
    for index in range(len(case_ids) * len(KINDS)):
        if index < due:
            due_at = now + timedelta(hours=2) if index % 2 == 0 else now - timedelta(minutes=5)
            next_action_at = now - timedelta(minutes=5)
        else:
            due_at = far + timedelta(minutes=index % 1000)
            next_action_at = due_at - timedelta(days=1)
        rows.append(
            Deadline(
                case_id=case_ids[index // len(KINDS)],
                kind=KINDS[index % len(KINDS)],
                due_at=due_at,
                state=DeadlineState.OPEN,
                owner=owner,
                branch=branch,
                next_action_at=next_action_at,
            )
        )
    made = Deadline.objects.bulk_create(rows, batch_size=CHUNK)
    return [row.pk for row in made]


def deadlines_make_due(*, ids: list[int], now: datetime) -> None:
    """Put deadlines back to owed and due at ``now`` (even ones for their reminder, odd ones past
    due), as ``deadlines_bulk`` made its due ones, in one statement."""
    Deadline.objects.filter(pk__in=ids).update(
        state=DeadlineState.OPEN,
        reminded_at=None,
        escalation_level=0,
        escalated_at=None,
        closed_at=None,
        next_action_at=now - timedelta(minutes=5),
    )
    # Which half needs a reminder and which is past due: by position in ``ids``.
    reminders = ids[0::2]
    Deadline.objects.filter(pk__in=reminders).update(due_at=now + timedelta(hours=2))
    Deadline.objects.filter(pk__in=ids[1::2]).update(due_at=now - timedelta(minutes=5))
