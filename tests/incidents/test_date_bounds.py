"""One date range everywhere (1900-01-01 to 2999-12-31, and no future where a date is a fact):
the forms refuse what lies outside it in Japanese, the database refuses it too, and rows stored
before the bound are found, reported and repaired by the migration."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from compensation.rules.vocab import EARLIEST_DATE, LATEST_DATE
from incidents.cases.validators import BoundedDateField, BoundedDateTimeField
from incidents.models import Case, ReportedItem, UnauthorizedTransaction
from tests import factories
from tests.incidents.test_intake_views import item_post, step_url, tx_post

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "1900/01/01 から 2999/12/31 までの日付を入力してください。"
EDGES = ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"]


@pytest.mark.parametrize("typed", EDGES)
def test_a_transaction_dated_outside_the_range_is_refused_and_the_case_stays_readable(
    teller_client, teller, typed
):
    case = factories.draft(teller)
    teller_client.post(step_url(case, "items"), factories.stamped(case, item_post()))
    item = case.items.get()
    response = teller_client.post(
        step_url(case, "transactions"),
        factories.stamped(case, tx_post(item, occurred_at=f"{typed}T00:00")),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert RANGE_MESSAGE in html or "未来の日時は入力できません。" in html
    assert not UnauthorizedTransaction.objects.filter(case=case).exists()
    for url in (case.get_absolute_url(), step_url(case, "review"), reverse("incidents:home")):
        assert teller_client.get(url).status_code == 200


def test_a_notification_in_year_one_is_refused_on_the_first_step(teller_client):
    data = {
        "intake_token": str(factories.uuid.uuid4()),
        "channel": "counter",
        "reporter_relation": "self",
        "notified_at": "0001-01-01T00:00",
    }
    response = teller_client.post(reverse("incidents:case_new"), data)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Case.objects.exists()
    assert teller_client.get(reverse("incidents:home")).status_code == 200


@pytest.mark.parametrize("field_class", [BoundedDateField, BoundedDateTimeField])
def test_the_bounded_fields_take_the_edges_of_the_range_and_nothing_past_them(field_class):
    field = field_class(required=False)
    suffix = "T00:00" if field_class is BoundedDateTimeField else ""
    assert field.clean(f"{EARLIEST_DATE.isoformat()}{suffix}") is not None
    assert field.clean(f"{LATEST_DATE.isoformat()}{suffix}") is not None
    for typed in ("1899-12-31", "3000-01-01", "0001-01-01", "9999-12-31"):
        with pytest.raises(Exception, match="2999/12/31"):
            field.clean(f"{typed}{suffix}")


def test_the_database_refuses_a_date_outside_the_range(teller):
    case = factories.stolen_card_case(teller)
    item = case.items.get()
    with pytest.raises(IntegrityError, match="occurred_on_in_range"), transaction.atomic():
        ReportedItem.objects.filter(pk=item.pk).update(occurred_on=date(1899, 12, 31))
    with pytest.raises(IntegrityError, match="birth_date_in_range"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(customer_birth_date=date(3000, 1, 1))
    with connection.cursor() as cursor, pytest.raises(IntegrityError), transaction.atomic():
        cursor.execute(
            "UPDATE incidents_case SET notified_at = '0001-01-01 00:00+09' WHERE id = %s",
            [case.pk],
        )


def test_the_migration_reports_and_repairs_rows_stored_before_the_bound(teller, capsys):
    """As on a database written before the forms refused a year 1: a BC notification time and a
    BC transaction time, which no page could read."""
    case = factories.stolen_card_case(teller)
    tx = case.transactions.order_by("pk").first()
    migration = importlib.import_module("incidents.migrations.0014_case_edits_and_date_bounds")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
            cursor.execute("ALTER TABLE incidents_case DROP CONSTRAINT case_notified_at_in_range")
            cursor.execute(
                "ALTER TABLE incidents_unauthorizedtransaction "
                "DROP CONSTRAINT unauthorizedtransaction_occurred_at_in_range"
            )
            cursor.execute(
                "UPDATE incidents_case SET notified_at = '0001-01-01 00:00+09' WHERE id = %s",
                [case.pk],
            )
            cursor.execute(
                "UPDATE incidents_unauthorizedtransaction "
                "SET occurred_at = '0001-01-01 00:00+09' WHERE id = %s",
                [tx.pk],
            )
        migration.find_report_and_repair(None, connection.schema_editor())
        repaired = Case.objects.get(pk=case.pk)
        assert repaired.notified_at == repaired.created_at
        assert UnauthorizedTransaction.objects.get(pk=tx.pk).occurred_at == repaired.notified_at
        notes = list(
            repaired.events.filter(data__has_key="date_repair").values_list("message", flat=True)
        )
        transaction.set_rollback(True)
    assert len(notes) == 2 and all("範囲外の日付を修正しました" in note for note in notes)
    assert all(" BC " in note for note in notes)  # the value replaced, as the database held it
    printed = capsys.readouterr().out
    assert (
        "incidents_case.notified_at" in printed and "incidents_unauthorizedtransaction" in printed
    )


def test_the_bank_closure_migration_reports_and_removes_closures_typed_out_of_range(capsys):
    """As on a database whose admin took any date: a closure in year 202 is printed and removed
    before the constraint is added; a real one stays."""
    from django.apps import apps

    from incidents.models import BankClosure

    migration = importlib.import_module("incidents.migrations.0029_bank_closure_date_in_range")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE incidents_bankclosure DROP CONSTRAINT bankclosure_date_in_range"
            )
            cursor.execute(
                "INSERT INTO incidents_bankclosure (date, reason) VALUES "
                "('0202-06-15', '勘定系更改（誤入力）'), ('2026-06-15', '勘定系更改')"
            )
        migration.report_and_remove_out_of_range(apps, connection.schema_editor())
        kept = list(BankClosure.objects.values_list("reason", flat=True))
        transaction.set_rollback(True)
    assert kept == ["勘定系更改"]
    printed = capsys.readouterr().out
    assert "incidents_bankclosure" in printed and "0202-06-15" in printed and "誤入力" in printed
