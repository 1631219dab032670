"""How the statistics trigger serialises the writers of one case (compensation 0009): on the
case's row, so a transaction touching many cases takes no entry per case in the server's shared
lock table, and two writers of one case still refresh its rows one after the other."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from compensation.models import StatisticsCase
from incidents.devdata import scandata
from incidents.models import UnauthorizedTransaction

from .support import jst, report
from .test_statistics_rows import assert_kept_right


def lock_entries(kind: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = %s", [kind]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_transaction_writing_many_cases_holds_no_lock_entry_per_case(teller):
    with transaction.atomic():
        ids = scandata.cases_bulk(branch=teller.branch, creator=teller, count=60)
        assert StatisticsCase.objects.filter(case_id__in=ids).count() == 60
        # An advisory lock per case (the trigger before 0009) would be 60 entries here, and a
        # bulk repair of a few thousand cases would exhaust the table for every session.
        assert lock_entries("advisory") == 0


def _backend_waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_case_refresh_its_rows_one_after_the_other(teller) -> None:
    case = report(teller, transactions=[{"at": jst(2025, 5, 1, 10, 0), "amount": 10_000}])
    item_id = case.items.get().pk
    first_written, release, second_pid = threading.Event(), threading.Event(), []
    errors: list[BaseException] = []

    def write(amount: int, *, hold: bool) -> None:
        try:
            with transaction.atomic():
                if not hold:
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT pg_backend_pid()")
                        second_pid.append(cursor.fetchone()[0])
                UnauthorizedTransaction.objects.create(
                    case_id=case.pk,
                    item_id=item_id,
                    occurred_at=jst(2025, 5, 2, 10, 0),
                    account_branch="101",
                    account_number="1234567",
                    channel="atm_withdrawal",
                    amount=amount,
                )
                if hold:
                    first_written.set()
                    assert release.wait(30)
        except BaseException as error:  # reported to the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=(20_000,), kwargs={"hold": True})
    first.start()
    assert first_written.wait(30)
    second = threading.Thread(target=write, args=(30_000,), kwargs={"hold": False})
    second.start()
    # The second writer waits for the first one's transaction, on the case's row.
    deadline = time.monotonic() + 20
    while not (second_pid and _backend_waits_on_a_lock(second_pid[0])):
        assert time.monotonic() < deadline, "the second writer never waited for the first"
        time.sleep(0.05)
    release.set()
    first.join(30)
    second.join(30)
    assert not errors, errors
    _quarters, cases = assert_kept_right("two writers")
    assert cases[case.pk][3] == 60_000
