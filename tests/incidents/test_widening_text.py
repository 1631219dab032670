"""Text that widens when put in its usual widths (NFKC: ㌀ → アパート, ⑩ → 10, ㈱ → (株)) is
measured after widening: refused with the field's message, never a server error from a column
too short for it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import Case
from tests import factories

from .test_intake_views import errors_of, step_url, tx_post

pytestmark = pytest.mark.django_db


def customer_post(case, **overrides):
    data = {
        "customer_type": "individual",
        "customer_name": "山田 花子",
        "customer_name_kana": "ヤマダ ハナコ",
        "next": "1",
    }
    return factories.stamped(case, **(data | overrides))


@pytest.mark.parametrize(
    ("field", "typed", "column"),
    [
        ("customer_number", "⑩" * 10, 10),
        ("customer_name", "㈱" + "山" * 79, 80),
        ("customer_address", "㌀" * 200, 200),
    ],
)
def test_a_customer_field_that_widens_past_its_column_is_refused_and_kept_as_typed(
    teller_client, teller, field, typed, column
):
    case = factories.draft(teller)
    before = Case.objects.values(field).get(pk=case.pk)[field]
    response = teller_client.post(step_url(case, "customer"), customer_post(case, **{field: typed}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{column} 文字以下" in html, field  # Django's own message, in Japanese
    assert typed in html  # what the teller typed is on the page again
    assert Case.objects.values(field).get(pk=case.pk)[field] == before


def test_a_customer_field_that_widens_within_its_column_is_stored_widened(teller_client, teller):
    case = factories.draft(teller)
    response = teller_client.post(
        step_url(case, "customer"),
        customer_post(case, customer_number="⑩１２", customer_name="㈱山田商店"),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.customer_number, case.customer_name) == ("1012", "(株)山田商店")


def test_a_police_number_that_widens_past_its_column_is_refused_at_intake(teller_client, teller):
    case = factories.draft(teller)
    data = factories.stamped(
        case,
        police_status="filed",
        police_station="丸の内警察署",
        police_filed_on=factories.today().isoformat(),
        police_receipt_number="㌀" * 40,
        next="1",
    )
    response = teller_client.post(step_url(case, "police"), data)
    assert response.status_code == 200 and "40 文字以下" in response.content.decode()
    case.refresh_from_db()
    assert case.police_receipt_number == ""


def test_a_police_number_that_widens_past_its_column_is_refused_on_the_case_page(
    teller_client, teller
):
    case = factories.stolen_card_case(teller, police="not_yet")
    response = teller_client.post(
        reverse("incidents:case_record_police", args=[case.pk]),
        factories.stamped(
            case,
            police_station="丸の内警察署",
            police_filed_on=factories.today().isoformat(),
            police_receipt_number="№" * 40,
        ),
    )
    assert response.status_code == 200 and "40 文字以下" in response.content.decode()
    case.refresh_from_db()
    assert case.police_status == "not_yet" and case.police_receipt_number == ""


def test_an_amount_longer_than_any_amount_is_refused_never_cut_to_a_number(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    data = factories.stamped(case, tx_post(case.items.get(), amount="1" + "," * 39 + "000"))
    response = teller_client.post(step_url(case, "transactions"), data)
    assert response.status_code == 200
    assert "1円単位の整数" in errors_of(response)
    assert not case.transactions.exists()
