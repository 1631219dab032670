# ruff: noqa: S608 — the SQL is assembled from this module's constants; values go as parameters.
"""Supervisors' findings and approved decisions in bulk for the bench cases (``seed_bench``'s).

``python manage.py seed_bench_compensation`` runs after ``seed_bench``: every bench case that got
as far as a decision (decided, paid, closed) receives an approved decision, as
``decision_approve`` would store it in shape (outcome, totals, reviewer other than the preparer,
approval a few days to weeks after the report); one in fifty of them was decided again later
(a second approval superseding the first), and one case in fifty under review or decided records
a withdrawal by the spouse (the statistics leave those out). The stored facts and results are
placeholders: the bench measures the reports, which read only the columns. Each chunk ends by
recomputing the statistics' rows of its cases (``compensation_statistics_refresh``), which the
bulk inserts' skipped triggers would otherwise have kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from compensation import services

DECIDED = ("decided", "paid", "closed")
ASSESSED = ("in_review", *DECIDED)


def bench_seed_decisions(*, chunk: int = 100_000, log: Callable[[str], None] = print) -> int:
    """Findings and decisions for bench cases that have none; returns how many decisions."""
    policy = services.policy_version_default_ensure()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(c.id), max(c.id) FROM incidents_case c "
            "JOIN incidents_branch b ON b.id = c.branch_id WHERE b.code >= '101'"
        )
        low, high = cursor.fetchone()
    if low is None:
        return 0
    made = 0
    for start in range(low, high + 1, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            made += _chunk(cursor, start, min(start + chunk - 1, high), policy.pk)
        log(f"decisions up to case {min(start + chunk - 1, high):,}: {made:,}")
    with connection.cursor() as cursor:
        for table in ("caseassessment", "decision"):
            cursor.execute(f"ANALYZE compensation_{table}")
    return made


def _chunk(cursor, low: int, high: int, policy_id: int) -> int:
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass  # not a superuser: the rows go through the triggers (slower, still correct)
    window = {"low": low, "high": high, "now": timezone.now(), "policy": policy_id}
    cursor.execute(
        f"""
        INSERT INTO compensation_caseassessment (case_id, prompt_notice, explanation,
            other_theft_evidence, bank_at_fault, taken_by, false_explanation, war_or_riot,
            unavoidable_days, note, version, updated_by_id, updated_at)
        SELECT c.id, true, true, false, false,
            CASE WHEN c.id %% 50 = 7 THEN 'spouse' WHEN c.id %% 61 = 0 THEN 'other' ELSE '' END,
            false, false, 0, '', 1, NULL, NULL
        FROM incidents_case c
        JOIN incidents_branch b ON b.id = c.branch_id AND b.code >= '101'
        WHERE c.id BETWEEN %(low)s AND %(high)s AND c.status IN {ASSESSED!r}
          AND NOT EXISTS (SELECT 1 FROM compensation_caseassessment a WHERE a.case_id = c.id)
        """,
        window,
    )
    # The first approval of every decided case: outcome by the case's id (70% full, 15% partial,
    # 15% none), approved 3–42 days after the report by the branch's supervisor.
    cursor.execute(
        f"""
        INSERT INTO compensation_decision (case_id, number, status, supersedes_id, prepared_by_id,
            prepared_at, preparer_note, reviewed_by_id, reviewed_at, review_comment, policy_id,
            notified_on, facts, result, rules_version, outcome, claimed_total, compensation_total)
        SELECT d.id, 1, 'approved', NULL,
            CASE WHEN d.created_by_id = sup.id THEN teller.id ELSE d.created_by_id END,
            d.approved_at - interval '1 day', '', sup.id, d.approved_at, '', %(policy)s,
            (d.notified_at AT TIME ZONE 'Asia/Tokyo')::date, '{{}}'::jsonb, '{{}}'::jsonb,
            'bench', d.outcome, d.claimed,
            CASE d.outcome WHEN 'full' THEN d.claimed WHEN 'partial' THEN d.claimed * 3 / 4
                 ELSE 0 END
        FROM (
            SELECT c.id, c.created_by_id, c.notified_at, b.code,
                LEAST(c.notified_at + ((c.id %% 40) + 3) * interval '1 day',
                      %(now)s::timestamptz - interval '1 hour') AS approved_at,
                CASE WHEN c.id %% 20 < 14 THEN 'full' WHEN c.id %% 20 < 17 THEN 'partial'
                     ELSE 'none' END AS outcome,
                COALESCE((SELECT sum(t.amount + t.fee + t.interest)
                          FROM incidents_unauthorizedtransaction t WHERE t.case_id = c.id), 0)
                    AS claimed
            FROM incidents_case c
            JOIN incidents_branch b ON b.id = c.branch_id AND b.code >= '101'
            WHERE c.id BETWEEN %(low)s AND %(high)s AND c.status IN {DECIDED!r}
              AND NOT EXISTS (SELECT 1 FROM compensation_decision x WHERE x.case_id = c.id)
        ) d
        JOIN incidents_user sup ON sup.username = 'bench_supervisor_' || d.code || '_0'
        JOIN incidents_user teller ON teller.username = 'bench_teller_' || d.code || '_0'
        """,
        window,
    )
    made = cursor.rowcount
    # One in fifty was decided again: the second approval supersedes the first, a week later.
    cursor.execute(
        """
        INSERT INTO compensation_decision (case_id, number, status, supersedes_id, prepared_by_id,
            prepared_at, preparer_note, reviewed_by_id, reviewed_at, review_comment, policy_id,
            notified_on, facts, result, rules_version, outcome, claimed_total, compensation_total)
        SELECT f.case_id, 2, 'approved', f.id, f.prepared_by_id,
            LEAST(f.reviewed_at + interval '6 days', %(now)s::timestamptz - interval '2 minutes'),
            '再審査', f.reviewed_by_id,
            LEAST(f.reviewed_at + interval '7 days', %(now)s::timestamptz - interval '1 minute'),
            '', f.policy_id, f.notified_on, f.facts, f.result, f.rules_version,
            CASE WHEN f.outcome = 'none' THEN 'full' ELSE 'none' END, f.claimed_total,
            CASE WHEN f.outcome = 'none' THEN f.claimed_total ELSE 0 END
        FROM compensation_decision f
        WHERE f.case_id BETWEEN %(low)s AND %(high)s AND f.number = 1 AND f.case_id %% 50 = 3
          AND NOT EXISTS (SELECT 1 FROM compensation_decision x
                          WHERE x.case_id = f.case_id AND x.number = 2)
        """,
        window,
    )
    made += cursor.rowcount
    # The bulk rows (seed_bench's too) skipped the row triggers that keep the statistics' rows
    # (migration 0007): recompute this range's from scratch, as the triggers would have.
    cursor.execute("SELECT compensation_statistics_refresh(%(low)s, %(high)s)", window)
    # SET LOCAL outlives the chunk's savepoint: later writes in the same transaction (a test's)
    # need their triggers back.
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = origin")
    except DatabaseError:
        pass
    return made
