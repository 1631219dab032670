"""The recovered amount (組戻し等による回収額) recorded on the case page by the case's branch."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.cases import services
from incidents.models import (
    Case,
    TimelineEvent,
    UnauthorizedTransaction,
    UnauthorizedTransactionHistory,
)
from tests import factories

from .support import jst, report

pytestmark = pytest.mark.django_db

PAYEE = ("みらい銀行", "本店", "7654321", "サギ タロウ")


@pytest.fixture
def online_case(teller):
    return report(
        teller,
        customer_number="140001",
        items=[("online_banking", "credentials_stolen")],
        transactions=[{"at": jst(2026, 9, 1), "amount": 500_000, "payee": PAYEE}],
    )


def post(client, case, amount, version=None):
    tx = case.transactions.get()
    return client.post(
        reverse("incidents:transaction_recovery", args=[case.pk, tx.pk]),
        {"recovered_amount": amount, "version": version or Case.objects.get(pk=case.pk).version},
    )


def test_the_branch_records_a_recovery_with_the_timeline_and_the_history(
    client, teller, online_case
):
    client.force_login(teller)
    page = client.get(online_case.get_absolute_url()).content.decode()
    assert 'data-testid="recovery-form"' in page
    before = Case.objects.get(pk=online_case.pk).version
    response = post(client, online_case, "２００，０００")  # full-width digits and a comma
    assert response.status_code == 302 and response["Location"].endswith("#transactions")
    tx = UnauthorizedTransaction.objects.get(case=online_case)
    assert (tx.recovered_amount, tx.net_amount) == (200_000, 300_000)
    assert Case.objects.get(pk=online_case.pk).version == before + 1
    event = TimelineEvent.objects.filter(case=online_case, kind="recovery_recorded").get()
    assert "回収額 0円 → 200,000円" in event.message and event.actor == teller
    assert UnauthorizedTransactionHistory.objects.filter(
        pgh_obj=tx, recovered_amount=200_000
    ).exists()
    page = client.get(online_case.get_absolute_url()).content.decode()
    assert 'value="200000"' in page


def test_more_than_was_taken_is_refused_and_what_was_typed_is_kept(client, teller, online_case):
    client.force_login(teller)
    response = post(client, online_case, "600000")
    html = response.content.decode()
    assert response.status_code == 200
    assert "回収額は取引金額（500,000円）以下で入力してください。" in html
    assert 'value="600000"' in html
    assert UnauthorizedTransaction.objects.get(case=online_case).recovered_amount == 0
    response = post(client, online_case, "12.5")
    assert "金額は1円単位の整数で入力してください" in response.content.decode()


def test_a_stale_form_is_refused_without_overwriting(client, teller, supervisor, online_case):
    client.force_login(teller)
    opened = Case.objects.get(pk=online_case.pk).version
    client.force_login(supervisor)
    assert post(client, online_case, "100000", version=opened).status_code == 302
    client.force_login(teller)
    response = post(client, online_case, "50000", version=opened)
    assert response.status_code == 200
    assert "他の職員が更新しました" in response.content.decode()
    assert UnauthorizedTransaction.objects.get(case=online_case).recovered_amount == 100_000


def test_only_the_cases_branch_staff_record_it(
    client, online_case, other_teller, monitoring_agent, compliance_officer, teller
):
    for user, status in ((other_teller, 404), (compliance_officer, 404), (monitoring_agent, 403)):
        client.force_login(user)
        assert post(client, online_case, "1000").status_code == status, user
        assert 'data-testid="recovery-form"' not in (
            client.get(online_case.get_absolute_url()).content.decode()
        )
    assert UnauthorizedTransaction.objects.get(case=online_case).recovered_amount == 0
    draft = factories.stolen_card_case(teller, submit=False)
    client.force_login(teller)
    tx = draft.transactions.first()
    response = client.post(
        reverse("incidents:transaction_recovery", args=[draft.pk, tx.pk]),
        {"recovered_amount": "1000", "version": draft.version},
    )
    assert response.status_code == 403


def test_a_withdrawal_offers_no_recovery_and_the_server_refuses_one(client, teller):
    case = factories.stolen_card_case(teller)  # ATM withdrawals: nothing to 組戻し
    client.force_login(teller)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="recovery-form"' not in page and 'data-testid="no-recovery"' in page
    tx = case.transactions.first()
    response = client.post(
        reverse("incidents:transaction_recovery", args=[case.pk, tx.pk]),
        {"recovered_amount": "1000", "version": Case.objects.get(pk=case.pk).version},
    )
    assert response.status_code == 200
    assert "組戻し等による回収額は振込の取引（ATM振込・IB振込・窓口振込）にだけ記録します。" in (
        response.content.decode()
    )
    with pytest.raises(services.RecoveryError):
        services.transaction_record_recovery(
            case=case, transaction_id=tx.pk, user=teller, amount=1000
        )
    assert UnauthorizedTransaction.objects.get(pk=tx.pk).recovered_amount == 0
