"""The decision letter (補償に関するご連絡): only for approved decisions, each line with its amount and
the reasons in the customer's words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compensation import services
from compensation.models import Decision
from incidents.models import TimelineEvent
from tests import factories

from .support import (
    approved_pin_memo_case,
    confirm_suggested_faults,
    fresh,
    submit_and_approve,
)

pytestmark = pytest.mark.django_db


def test_the_letter_lists_each_transaction_its_amount_and_reasons(
    client, teller, supervisor, other_supervisor
):
    case, decision = approved_pin_memo_case(teller, supervisor, other_supervisor)
    client.force_login(teller)
    response = client.get(reverse("compensation:letter", args=[case.pk, decision.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "補償に関するご連絡" in html
    assert "山田 太郎 様" in html
    assert case.number in html
    assert html.count('data-testid="letter-line"') == 2
    for claimed, paid in ((200220, 150165), (300220, 225165)):
        assert f"{claimed:,}円" in html and f"{paid:,}円" in html
        assert f"被害額{claimed:,}円の75％にあたる{paid:,}円を補償します。" in html
    assert "暗証番号を記載したメモをカードと一緒に保管されていたため" in html
    assert "375,330円" in html and "500,440円" in html
    assert "下記のとおり補償させていただく" in html
    assert "ご指定の口座へお振り込み" in html
    assert "css/compensation.css" in html  # the print stylesheet (A4)
    # Internal notes stay internal.
    assert "補償率の理由" not in html
    assert TimelineEvent.objects.filter(case=case, data__compensation="letter").count() == 1


def test_a_refusal_letter_says_so_politely(client, teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    services.findings_save(case=fresh(case), user=supervisor, fields={"taken_by": "spouse"})
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(case, teller, other_supervisor)
    client.force_login(teller)
    html = client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).content.decode()
    assert "補償いたしかねる" in html
    assert "配偶者による払戻しのため、補償の対象外です。" in html
    assert "お振り込み" not in html


def corporate_decided_at_60(teller, supervisor, approver):
    """A corporate customer's single withdrawal of 100,000 yen, decided case by case at 60%
    (with an internal note) and approved."""
    from incidents.cases import services as incident_services

    case = factories.stolen_card_case(teller, withdrawals=((100000, 0),))
    incident_services.case_update(
        case=case, user=teller, step="customer", fields={"customer_type": "corporate"}
    )
    confirm_suggested_faults(case, supervisor)
    services.case_by_case_rate_set(
        case=fresh(case), tx=case.transactions.get(), user=supervisor, rate=60, reason="内部メモ"
    )
    return case, submit_and_approve(case, teller, approver)


def test_a_case_by_case_line_tells_the_customer_the_rate_decided(
    client, teller, supervisor, other_supervisor
):
    case, decision = corporate_decided_at_60(teller, supervisor, other_supervisor)
    client.force_login(teller)
    html = client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).content.decode()
    assert "法人のお客さまのため、個別に判断します。" in html
    assert "個別に検討した結果、被害額100,000円の60％にあたる60,000円を補償します。" in html
    assert "内部メモ" not in html
    assert "補償額はまだ確定していません" not in html  # the engine's open summary is replaced


def test_there_is_no_letter_before_approval(client, teller, other_supervisor):
    case = factories.stolen_card_case(teller)
    submitted = services.decision_submit(case=fresh(case), user=teller)
    client.force_login(teller)
    assert (
        client.get(reverse("compensation:letter", args=[case.pk, submitted.pk])).status_code == 404
    )
    services.decision_return(decision=submitted, user=other_supervisor, comment="再調査")
    returned = Decision.objects.get(pk=submitted.pk)
    assert (
        client.get(reverse("compensation:letter", args=[case.pk, returned.pk])).status_code == 404
    )
    assert (
        client.get(reverse("compensation:decision_facts", args=[case.pk, returned.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("compensation:decision", args=[case.pk, returned.pk])).status_code == 200
    )


def test_the_letter_carries_the_address_recorded_at_intake_and_a_print_button(
    client, teller, supervisor, other_supervisor
):
    from incidents.cases import services as incident_services

    case = factories.stolen_card_case(teller)
    incident_services.case_update(
        case=case,
        user=teller,
        step="customer",
        fields={"customer_postal_code": "160-0004", "customer_address": "東京都新宿区四谷1-1"},
    )
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(fresh(case), teller, other_supervisor)
    client.force_login(teller)
    html = client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).content.decode()
    block = html[html.index('data-testid="letter-address"') :]
    block = block[: block.index("様")]
    assert "〒160-0004" in block and "東京都新宿区四谷1-1" in block and "山田 太郎" in block
    assert 'data-testid="print-letter"' in html and "js/print.js" in html


def test_the_postal_code_is_taken_in_any_width_and_stored_as_nnn_nnnn(client, teller):
    case = factories.draft(teller)
    client.force_login(teller)
    url = reverse("incidents:intake_step", args=[case.pk, "customer"])
    base = {
        "customer_type": "individual",
        "customer_name": "山田 太郎",
        "customer_name_kana": "ヤマダ タロウ",
        "customer_address": "東京都新宿区四谷１－１",
        "next": "1",
    }
    bad = client.post(url, factories.stamped(case, base, customer_postal_code="16000"))
    assert "郵便番号は7桁の数字で入力してください" in bad.content.decode()
    good = client.post(
        url, factories.stamped(case, base, customer_postal_code="〒１６０－０００４")
    )
    assert good.status_code == 302
    case.refresh_from_db()
    assert (case.customer_postal_code, case.customer_address) == ("160-0004", "東京都新宿区四谷1-1")


def test_a_case_by_case_line_is_english_on_the_decision_page_and_japanese_in_the_letter(
    client, teller, supervisor, other_supervisor
):
    from incidents.models import User

    case, decision = corporate_decided_at_60(teller, supervisor, other_supervisor)
    User.objects.filter(pk=teller.pk).update(language="en")
    client.force_login(teller)
    page = client.get(reverse("compensation:decision", args=[case.pk, decision.pk]))
    lines = page.content.decode().split('data-testid="assessment-lines"', 1)[1]
    assert "個別に検討した結果" not in lines and "法人のお客さま" not in lines
    assert "60%" in lines and "60,000 yen" in lines
    letter = client.get(reverse("compensation:letter", args=[case.pk, decision.pk]))
    html = letter.content.decode()
    assert "個別に検討した結果、被害額100,000円の60％にあたる60,000円を補償します。" in html
    assert "法人のお客さまのため、個別に判断します。" in html
