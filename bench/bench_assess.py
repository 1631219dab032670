"""Benchmark the compensation rules: assessments per second on one core for a typical case.

Run from the repository root: `python bench/bench_assess.py [--seconds 3]` (``--tiny``: a smoke
run of a fraction of a second, as tests/test_bench_smoke.py does).
Prints the rate of assess() on one stolen card with three transactions, the rate of a reference
loop that only builds the same Facts (dataclass construction, measured in the same run, so the
ratio is comparable across machines), and the rate of the command's path (parse_facts + assess +
assessment_to_dict) for information. Rates are per CPU second of this process (stable on a busy
machine) and per wall second. The target is at least 20,000 assessments per second.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compensation.rules import (
    Facts,
    Item,
    Policy,
    Requirements,
    Transaction,
    assess,
    assessment_to_dict,
    facts_to_dict,
    parse_facts,
)

TARGET_PER_SECOND = 20_000
D = datetime.date


def build_facts() -> Facts:
    """A typical case: a stolen card, a PIN memo kept with it, three withdrawals (one too early)."""
    return Facts(
        notified_on=D(2026, 3, 31),
        items=(Item("i1", "stolen_card", D(2026, 2, 20)),),
        transactions=(
            Transaction("t1", "i1", D(2026, 2, 28), 100000, 220),
            Transaction("t2", "i1", D(2026, 3, 1), 200000, 220),
            Transaction("t3", "i1", D(2026, 3, 2), 50000, 110),
        ),
        requirements=Requirements(True, True, True),
        checklist=frozenset({"pin_memo_with_card"}),
    )


def rate(work: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Call work for about `seconds` of CPU; return calls per CPU second and per wall second."""
    batch = 200
    calls = 0
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    deadline = cpu_start + seconds
    while True:
        for _ in range(batch):
            work()
        calls += batch
        cpu = time.process_time()
        if cpu >= deadline:
            wall = time.perf_counter()
            return calls / (cpu - cpu_start), calls / (wall - wall_start)


def pin_to_one_core() -> str:
    """Run on a single CPU where the platform allows it."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def main() -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    parser.add_argument("--tiny", action="store_true", help="a smoke run: figures, not a measure")
    args = parser.parse_args()
    if args.tiny:
        args.seconds = 0.05

    where = pin_to_one_core()
    facts = build_facts()
    policy = Policy()
    document = facts_to_dict(facts, policy)
    assessment = assess(facts, policy)
    assert assessment.compensation_total == 150165 + 37582, assessment  # sanity: 75% of t2 and t3

    for _ in range(2000):  # warm up
        assess(facts, policy)

    assess_rate, assess_wall = rate(lambda: assess(facts, policy), args.seconds)
    reference_rate, reference_wall = rate(build_facts, args.seconds)
    command_rate, command_wall = rate(
        lambda: assessment_to_dict(assess(*parse_facts(document))), args.seconds
    )

    print(f"python {sys.version.split()[0]}, {where}, {args.seconds:g} CPU-s per measurement")
    print("                                  per CPU second    per wall second")
    print(f"assess():                       {assess_rate:14,.0f}     {assess_wall:14,.0f}")
    print(f"reference (build the Facts):    {reference_rate:14,.0f}     {reference_wall:14,.0f}")
    print(f"parse_facts+assess+to_dict:     {command_rate:14,.0f}     {command_wall:14,.0f}")
    print(f"ratio assess / reference:       {assess_rate / reference_rate:14.3f}")
    verdict = "meets" if assess_rate >= TARGET_PER_SECOND else "BELOW"
    print(f"target {TARGET_PER_SECOND:,} assessments per CPU second: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
