"""The audit trail: every change to case data with who, when, before and after, append-only in
the database; every look at a case logged; compliance searches the log."""

from __future__ import annotations

import pgtrigger
import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse

from incidents.models import (
    CaseAccess,
    CaseHistory,
    ProtectiveActionHistory,
    ReportedItemHistory,
    UnauthorizedTransactionHistory,
)
from tests import factories

pytestmark = pytest.mark.django_db

REFUSED = (InternalError, ProgrammingError)
HISTORY_MODELS = [
    CaseHistory,
    ReportedItemHistory,
    ProtectiveActionHistory,
    UnauthorizedTransactionHistory,
]


def customer_step(client, case, **changes):
    data = {
        "customer_number": case.customer_number,
        "customer_type": case.customer_type,
        "customer_name": case.customer_name,
        "customer_name_kana": case.customer_name_kana,
        "customer_phone": case.customer_phone,
        "version": case.version,
        "save_only": "1",
    }
    data.update(changes)
    return client.post(reverse("incidents:intake_step", args=[case.pk, "customer"]), data)


def test_a_change_is_recorded_with_who_when_before_and_after_and_shown_on_the_case_page(
    client, teller
):
    case = factories.draft(teller)
    client.force_login(teller)
    customer_step(client, case, customer_name="山田 次郎", customer_name_kana="ヤマダ ジロウ")
    event = CaseHistory.objects.filter(pgh_obj_id=case.pk, pgh_label="update").latest("pgh_id")
    assert event.customer_name == "山田 次郎"
    assert event.pgh_context["user"] == teller.pk
    assert event.pgh_context["url"].endswith("/intake/customer/")
    # The history is the case page's 変更履歴 tab, loaded when opened.
    page = client.get(reverse("incidents:case_history", args=[case.pk])).content.decode()
    history = page.split('data-testid="history"')[1]
    assert "山田 太郎" in history and "山田 次郎" in history
    assert history.index("山田 太郎") < history.index("山田 次郎")  # before → after
    assert teller.display_name in history


def test_items_stops_and_transactions_are_recorded_too_deletions_included(teller):
    case = factories.stolen_card_case(teller, submit=False)
    assert ReportedItemHistory.objects.filter(case_id=case.pk, pgh_label="insert").count() == 1
    assert ProtectiveActionHistory.objects.filter(case_id=case.pk, pgh_label="update").exists()
    tx = case.transactions.first()
    from incidents.cases import services

    services.case_save_transactions(case=case, user=teller, rows=[{"id": tx.pk, "DELETE": True}])
    deleted = UnauthorizedTransactionHistory.objects.get(pgh_obj_id=tx.pk, pgh_label="delete")
    assert deleted.amount == tx.amount


def test_saving_without_a_change_adds_no_history_row(client, teller):
    case = factories.draft(teller)
    client.force_login(teller)
    before = CaseHistory.objects.filter(pgh_obj_id=case.pk).count()
    customer_step(client, case)
    assert CaseHistory.objects.filter(pgh_obj_id=case.pk).count() == before


@pytest.mark.parametrize("model", [*HISTORY_MODELS, CaseAccess])
def test_the_application_cannot_edit_or_delete_the_audit_trail(client, teller, model):
    case = factories.stolen_card_case(teller)
    client.force_login(teller)
    client.get(case.get_absolute_url())
    row = model.objects.order_by("pk").first()
    assert row is not None
    table = model._meta.db_table
    attempts = [
        lambda: model.objects.filter(pk=row.pk).update(**{model._meta.pk.name: row.pk}),
        lambda: model.objects.filter(pk=row.pk).delete(),
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),
        lambda: connection.cursor().execute(
            f"UPDATE {table} SET {model._meta.pk.column} = {model._meta.pk.column}"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
            attempt()
    # Not even pgtrigger's escape hatch switches the guard off.
    with pytest.raises(REFUSED, match="append-only"), pgtrigger.ignore(), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_every_look_at_a_case_is_logged(client, teller, compliance_officer, monitoring_agent):
    case = factories.stolen_card_case(teller)
    client.force_login(teller)
    client.get(case.get_absolute_url())
    client.get(reverse("incidents:case_receipt", args=[case.pk]))
    client.force_login(compliance_officer)
    client.get(case.get_absolute_url())
    client.force_login(monitoring_agent)
    client.get(reverse("incidents:case_stops", args=[case.pk]))
    logged = list(
        CaseAccess.objects.order_by("pk").values_list("user__username", "view", "case_id")
    )
    assert logged == [
        ("teller", "case_detail", case.pk),
        ("teller", "receipt", case.pk),
        ("compliance", "case_detail", case.pk),
        ("monitoring", "case_stops", case.pk),
    ]


def test_a_refused_look_is_not_logged_and_shows_nothing(client, teller, other_teller):
    case = factories.stolen_card_case(teller)
    client.force_login(other_teller)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert not CaseAccess.objects.exists()


def test_compliance_searches_the_access_log_by_staff_member_and_case(
    client, teller, other_teller, compliance_officer
):
    mine = factories.stolen_card_case(teller)
    theirs = factories.stolen_card_case(other_teller)
    for user, case in ((teller, mine), (other_teller, theirs), (teller, mine)):
        client.force_login(user)
        client.get(case.get_absolute_url())
    client.force_login(compliance_officer)
    url = reverse("incidents:access_log")

    def rows(params):
        page = client.get(url, params).content.decode()
        return page.count('data-testid="access-row"')

    assert rows({}) == 3
    assert rows({"staff": "teller"}) == 2
    assert rows({"staff": "Teller_b"}) == 1
    assert rows({"case_number": theirs.number}) == 1
    assert rows({"staff": "teller", "case_number": theirs.number}) == 0
    today = factories.today().isoformat()
    assert rows({"date_from": today, "date_to": today}) == 3
    assert rows({"date_from": "2000-01-01", "date_to": "2000-01-31"}) == 0
    assert client.get(url, {"date_from": "yesterday"}).status_code == 200


def test_looking_at_a_compensation_decision_or_its_letter_is_logged(
    client, teller, supervisor, other_supervisor
):
    from compensation import services as compensation
    from tests.compensation.support import confirm_suggested_faults, fresh

    compensation.policy_version_default_ensure()
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = compensation.decision_submit(case=fresh(case), user=teller, note="")
    decision = compensation.decision_approve(decision=decision, user=other_supervisor)
    client.force_login(teller)
    for name in ("compensation:decision", "compensation:letter"):
        assert client.get(reverse(name, args=[case.pk, decision.pk])).status_code == 200
    views = list(CaseAccess.objects.filter(case=case).order_by("pk").values_list("view", flat=True))
    assert views == ["compensation_decision", "compensation_letter"]
