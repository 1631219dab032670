"""Customer look-up at intake: 照会 on the customer step fills the form from the core, for the
teller to confirm (nothing saved); a core that is down, slow or without the account leaves the
form as typed with a message, and the intake goes on by hand."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.servers import core_banking, core_simulator

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db


def lookup(client, case, branch="001", account="1234567", **typed):
    url = reverse("incidents:intake_step", args=[case.pk, "customer"])
    fields = {"customer_type": "individual", "customer_name": "", "customer_name_kana": ""}
    fields.update(typed)
    data = factories.stamped(case, fields, lookup_branch=branch, lookup_account=account, lookup="1")
    return client.post(url, data, follow=True)


def test_lookup_fills_the_customer_from_the_core_without_saving(
    core_banking, teller, teller_client
):
    case = factories.draft(teller, customer_name="未確認", customer_name_kana="ミカクニン")
    version = case.version
    page = lookup(teller_client, case, account="１２３４５６７").content.decode()  # full width
    for value in (
        "山田 太郎",
        "ヤマダ タロウ",
        "1958-04-12",
        "090-1234-5678",
        "100-0005",
        "丸の内1-1-1",
    ):
        assert value in page, value
    assert "お客さまにご確認のうえ" in page
    case.refresh_from_db()
    assert (case.customer_name, case.version) == ("未確認", version)  # the teller saves it


def test_a_down_core_leaves_the_form_as_typed_and_the_intake_goes_on(
    core_banking, teller, teller_client
):
    case = factories.draft(teller)
    core_banking.stop()
    page = lookup(teller_client, case, customer_name="佐藤 花子").content.decode()
    assert "勘定系に照会できませんでした" in page and "佐藤 花子" in page
    # Saving the step by hand works as ever.
    url = reverse("incidents:intake_step", args=[case.pk, "customer"])
    saved = teller_client.post(
        url,
        factories.stamped(
            case,
            customer_type="individual",
            customer_name="佐藤 花子",
            customer_name_kana="サトウ ハナコ",
            next="1",
        ),
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.customer_name == "佐藤 花子"


def test_a_slow_core_or_an_unknown_account_or_bad_input_says_so(
    core_banking, teller, teller_client
):
    case = factories.draft(teller)
    assert "見つかりませんでした" in lookup(teller_client, case, account="7777777").content.decode()
    page = lookup(teller_client, case, branch="0\x001", account="9" * 400).content.decode()
    assert "店番は3桁の数字" in page and "口座番号は7桁の数字" in page
    for branch, account in (("²", "١٢٣٤٥٦٧"), ("0001-01-01", "99999999999999999999"), ("", "")):
        assert lookup(teller_client, case, branch=branch, account=account).status_code == 200
    core_banking.mode("slow", ms=1500)  # past the adapter's timeout
    assert "勘定系に照会できませんでした" in lookup(teller_client, case).content.decode()
