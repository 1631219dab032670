"""The case model: numbering, the append-only timeline and the database's own guards."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction

from incidents.models import Case, TimelineEvent, UnauthorizedTransaction
from tests import factories

pytestmark = pytest.mark.django_db


def test_case_numbers_count_up_per_branch_and_year(teller, other_teller):
    first = factories.stolen_card_case(teller)
    second = factories.stolen_card_case(teller)
    elsewhere = factories.stolen_card_case(other_teller)
    year = first.submitted_at.astimezone().year
    assert first.number == f"001-{year}-00001"
    assert second.number == f"001-{year}-00002"
    assert elsewhere.number == f"002-{year}-00001"


def test_a_draft_has_no_number_until_it_is_submitted(teller):
    case = factories.stolen_card_case(teller, submit=False)
    assert case.number is None
    assert case.status == "draft"


def test_the_database_refuses_a_reported_case_without_a_number(teller):
    case = factories.stolen_card_case(teller, submit=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="reported")


def test_the_timeline_cannot_be_edited_or_deleted_even_bypassing_the_application(teller):
    case = factories.stolen_card_case(teller)
    event = case.events.first()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(message="書き換え")
    with (
        pytest.raises((InternalError, ProgrammingError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM incidents_timelineevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.message != "書き換え"


def test_the_database_refuses_a_negative_amount(teller):
    case = factories.stolen_card_case(teller)
    tx = case.transactions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        UnauthorizedTransaction.objects.filter(pk=tx.pk).update(amount=-1)


def test_account_numbers_are_masked_for_lists(teller):
    case = factories.stolen_card_case(teller)
    assert case.items.get().masked_account == "001-****567"
    assert case.transactions.first().masked_account == "001-****567"


def test_the_timeline_records_who_did_what(teller):
    case = factories.stolen_card_case(teller)
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[0] == "created"
    assert "stop_done" in kinds
    # Submission is the teller's last act; the follow-up deadlines it opens are noted after it.
    assert kinds[kinds.index("submitted") + 1 :] == ["deadline_opened"]
    assert set(case.events.values_list("actor", flat=True)) == {teller.pk}


def test_the_timeline_is_written_in_japanese_whatever_language_the_teller_uses(teller):
    from django.utils import translation

    with translation.override("en"):
        case = factories.stolen_card_case(teller)
    stop = case.events.get(kind="stop_done")
    assert stop.message.startswith("カード利用停止")
