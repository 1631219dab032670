"""The guided intake through HTTP: steps, validation with Japanese messages, drafts, double submits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Case, ReportedItem, UnauthorizedTransaction
from tests import factories

pytestmark = pytest.mark.django_db


def step_url(case, step):
    return reverse("incidents:intake_step", args=[case.pk, step])


def day(offset: int = 0) -> str:
    return (factories.today() + timedelta(days=offset)).isoformat()


def item_post(**row) -> dict:
    data = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "20",
        "next": "1",
    }
    defaults = {
        "kind": "cash_card",
        "state": "stolen",
        "account_branch": "001",
        "account_number": "1234567",
        "occurred_on": day(-3),
        "noticed_on": day(-2),
    }
    defaults.update(row)
    data.update({f"items-0-{k}": v for k, v in defaults.items()})
    return data


def tx_post(item, **row) -> dict:
    data = {
        "tx-TOTAL_FORMS": "1",
        "tx-INITIAL_FORMS": "0",
        "tx-MIN_NUM_FORMS": "0",
        "tx-MAX_NUM_FORMS": "200",
        "next": "1",
    }
    defaults = {
        "item": str(item.pk),
        "occurred_at": f"{day(-2)}T15:00",
        "account_branch": "001",
        "account_number": "1234567",
        "channel": "atm_withdrawal",
        "amount": "200,000",
        "fee": "220",
        "interest": "",
    }
    defaults.update(row)
    data.update({f"tx-0-{k}": v for k, v in defaults.items()})
    return data


def errors_of(response) -> str:
    html = response.content.decode()
    field_errors = re.findall(r'<p id="error_\d+_[^"]*"><strong>(.*?)</strong>', html)
    form_errors = re.findall(
        r'<div class="alert alert-block alert-danger">.*?<li>(.*?)</li>', html, re.S
    )
    return " ".join(field_errors + form_errors)


def test_a_teller_takes_a_whole_report_step_by_step(teller_client, teller):
    page = teller_client.get(reverse("incidents:case_new"))
    token = page.context["intake_token"]
    response = teller_client.post(
        reverse("incidents:case_new"),
        {
            "intake_token": token,
            "channel": "counter",
            "reporter_relation": "self",
            "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "next": "1",
        },
    )
    case = Case.objects.get()
    assert response.url == step_url(case, "customer")
    response = teller_client.post(
        step_url(case, "customer"),
        factories.stamped(case)
        | {
            "customer_number": "１２３４５６",
            "customer_type": "individual",
            "customer_name": "山田 太郎",
            "customer_name_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
            "customer_birth_date": "1970-04-01",
            "customer_phone": "090-1234-5678",
            "next": "1",
        },
    )
    assert response.url == step_url(case, "items")
    case.refresh_from_db()
    assert (case.customer_number, case.customer_name_kana) == ("123456", "ヤマダ タロウ")
    response = teller_client.post(step_url(case, "items"), factories.stamped(case, item_post()))
    assert response.url == step_url(case, "stops")
    action = case.actions.get()
    response = teller_client.post(
        step_url(case, "stops"),
        factories.stamped(case, {f"stop-{action.pk}-decision": "done", "next": "1"}),
    )
    assert response.url == step_url(case, "transactions")
    item = case.items.get()
    response = teller_client.post(
        step_url(case, "transactions"), factories.stamped(case, tx_post(item))
    )
    assert response.url == step_url(case, "police")
    assert case.transactions.get().amount == 200000
    response = teller_client.post(
        step_url(case, "police"),
        factories.stamped(case)
        | {
            "police_status": "filed",
            "police_station": "丸の内警察署",
            "police_filed_on": day(-1),
            "police_receipt_number": "123",
            "next": "1",
        },
    )
    assert response.url == step_url(case, "checklist")
    response = teller_client.post(
        step_url(case, "checklist"),
        factories.stamped(case, {"card": ["pin_memo_with_card"], "next": "1"}),
    )
    assert response.url == step_url(case, "review")
    review = teller_client.get(step_url(case, "review"))
    assert review.context["problems"] == []
    response = teller_client.post(
        reverse("incidents:case_submit", args=[case.pk]),
        factories.stamped(case, {"confirmed": "on"}),
    )
    assert response.url == reverse("incidents:case_receipt", args=[case.pk])
    case.refresh_from_db()
    assert case.status == "reported" and case.number.startswith("001-")
    assert case.checklist == ["pin_memo_with_card"]
    receipt = teller_client.get(response.url).content.decode()
    assert case.number in receipt
    assert case.actions.get().reference in receipt
    assert "0120-" in receipt


@pytest.mark.parametrize(
    ("row", "field_message"),
    [
        ({"occurred_on": day(1)}, "未来の日付は入力できません。"),
        ({"noticed_on": day(1)}, "未来の日付は入力できません。"),
        (
            {"occurred_on": day(-2), "noticed_on": day(-3)},
            "気付いた日は発生日以降の日付を入力してください。",
        ),
        ({"account_number": "12345"}, "口座番号は7桁の数字で入力してください。"),
        ({"account_branch": "1A"}, "店番は3桁の数字で入力してください。"),
        ({"state": "counterfeit", "kind": "passbook"}, "この種類には選べない内容です。"),
        ({"occurred_on": ""}, "発生日を入力するか、「発生日不明」にチェックしてください。"),
    ],
)
def test_item_rules_are_explained_in_japanese_and_what_was_typed_is_kept(
    teller_client, teller, row, field_message
):
    case = factories.draft(teller)
    response = teller_client.post(
        step_url(case, "items"), item_post(note="かばんごと盗まれた", **row)
    )
    assert response.status_code == 200
    assert field_message in errors_of(response)
    assert "かばんごと盗まれた" in response.content.decode()
    assert ReportedItem.objects.count() == 0


def test_noticing_after_the_notification_is_refused(teller_client, teller):
    case = factories.draft(teller, notified_at=factories.at(factories.today() - timedelta(days=5)))
    response = teller_client.post(
        step_url(case, "items"), item_post(occurred_on=day(-6), noticed_on=day(-2))
    )
    assert "気付いた日は通知日" in errors_of(response)


def test_an_unknown_theft_date_is_accepted_when_marked_unknown(teller_client, teller):
    case = factories.draft(teller)
    response = teller_client.post(
        step_url(case, "items"),
        factories.stamped(case, item_post(occurred_on="", occurred_unknown="on")),
    )
    assert response.status_code == 302
    assert case.items.get().occurred_on is None


def test_a_future_notification_time_is_refused(teller_client, teller):
    case = factories.draft(teller)
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = teller_client.post(
        step_url(case, "reporter"),
        {"channel": "counter", "reporter_relation": "self", "notified_at": future},
    )
    assert "未来の日時は入力できません。" in errors_of(response)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("customer_name_kana", "やまだ Taro", "フリガナは全角カタカナで入力してください"),
        ("customer_name_kana", "Yamada", "フリガナは全角カタカナで入力してください"),
        ("customer_birth_date", day(1), "未来の日付は入力できません。"),
        ("customer_phone", "03-12", "電話番号は10〜11桁の数字"),
    ],
)
def test_customer_rules(teller_client, teller, name, value, message):
    case = factories.draft(teller)
    data = {
        "customer_number": "1",
        "customer_type": "individual",
        "customer_name": "山田 花子",
        "customer_name_kana": "ヤマダ ハナコ",
        "customer_phone": "",
        name: value,
    }
    response = teller_client.post(step_url(case, "customer"), data)
    assert message in errors_of(response)
    assert "山田 花子" in response.content.decode()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"amount": "-1"}, "金額に負の数は入力できません。"),
        ({"amount": "1000.5"}, "金額は1円単位の整数で入力してください"),
        ({"amount": "10000000001"}, "金額が大きすぎます"),
        ({"fee": "abc"}, "金額は1円単位の整数で入力してください"),
        (
            {"occurred_at": (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")},
            "未来の日時は入力できません。",
        ),
        ({"account_number": "123456a"}, "口座番号は7桁の数字で入力してください。"),
        ({"channel": "online_transfer"}, "この届出対象では行えない取引種類です。"),
        ({"channel": "atm_transfer"}, "振込の場合は振込先を入力してください。"),
        (
            {
                "channel": "atm_transfer",
                "payee_bank": "みらい銀行",
                "payee_branch": "本店",
                "payee_account_number": "7654321",
                "payee_account_name": "Sato",
            },
            "全角カタカナ",
        ),
    ],
)
def test_transaction_rules(teller_client, teller, row, message):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    response = teller_client.post(
        step_url(case, "transactions"), tx_post(case.items.get(), location="新宿駅ATM", **row)
    )
    assert message in errors_of(response)
    assert "新宿駅ATM" in response.content.decode()
    assert UnauthorizedTransaction.objects.count() == 0


def test_a_transaction_before_the_window_or_past_the_limit_is_flagged_not_refused(
    teller_client, teller
):
    case = factories.draft(teller)
    long_ago = factories.today() - timedelta(days=800)
    teller_client.post(
        step_url(case, "items"),
        factories.stamped(case, item_post(occurred_on=long_ago.isoformat(), noticed_on=day(-1))),
    )
    item = case.items.get()
    response = teller_client.post(
        step_url(case, "transactions"),
        factories.stamped(
            case,
            tx_post(item, occurred_at=f"{(long_ago + timedelta(days=1)).isoformat()}T10:00"),
        ),
    )
    assert response.status_code == 302
    page = teller_client.get(step_url(case, "review")).content.decode()
    assert "30日前の日" in page
    assert "2年を経過" in page


def test_police_report_filed_needs_its_station_and_date(teller_client, teller):
    case = factories.draft(teller)
    response = teller_client.post(
        step_url(case, "police"), {"police_status": "filed", "police_receipt_number": "99"}
    )
    text = errors_of(response)
    assert "警察署名を入力してください" in text
    assert "届出日を入力してください" in text


def test_a_declined_stop_needs_a_reason(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False, withdrawals=())
    action = case.actions.get()
    action.status = "proposed"
    action.save()
    response = teller_client.post(
        step_url(case, "stops"), {f"stop-{action.pk}-decision": "declined"}
    )
    assert "見送る場合は理由を入力してください。" in errors_of(response)


def test_steps_adapt_to_the_items(teller_client, teller):
    case = factories.draft(teller)
    teller_client.post(
        step_url(case, "items"),
        factories.stamped(
            case,
            item_post(
                kind="id_document",
                state="stolen",
                id_document_kind="driving_licence",
                account_branch="",
                account_number="",
            ),
        ),
    )
    slugs = [step.slug for step in teller_client.get(step_url(case, "police")).context["steps"]]
    assert "transactions" not in slugs and "stops" not in slugs and "checklist" not in slugs
    case2 = factories.draft(teller)
    teller_client.post(
        step_url(case2, "items"),
        factories.stamped(case2, item_post(kind="passbook", state="stolen")),
    )
    form = teller_client.get(step_url(case2, "checklist")).context["form"]
    assert (
        "passbook" in form.fields
        and "card" not in form.fields
        and "online_banking" not in form.fields
    )
    case3 = factories.draft(teller)
    teller_client.post(
        step_url(case3, "items"),
        factories.stamped(case3, item_post(kind="online_banking", state="credentials_stolen")),
    )
    form = teller_client.get(step_url(case3, "checklist")).context["form"]
    assert list(form.fields) == ["online_banking", "circumstances_note"]


def test_a_teller_resumes_a_draft_from_their_list_after_the_session_is_lost(client, teller):
    client.force_login(teller)
    case = factories.draft(teller)
    client.post(step_url(case, "items"), factories.stamped(case, item_post()))
    client.logout()  # the browser was closed or the session expired
    client.force_login(teller)
    home = client.get(reverse("incidents:home")).content.decode()
    resume = step_url(case, "items")
    assert resume in home
    page = client.get(resume)
    assert page.context["formset"].forms[0].initial["account_number"] == "1234567"


def test_double_clicking_submit_yields_one_case(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False)
    url = reverse("incidents:case_submit", args=[case.pk])
    clicked = factories.stamped(case, {"confirmed": "on"})  # one form, clicked twice
    first = teller_client.post(url, clicked)
    second = teller_client.post(url, clicked)
    assert first.url == second.url == reverse("incidents:case_receipt", args=[case.pk])
    assert Case.objects.count() == 1
    assert Case.objects.get().events.filter(kind="submitted").count() == 1


def test_going_back_and_resending_the_first_step_does_not_open_a_second_draft(teller_client):
    token = teller_client.get(reverse("incidents:case_new")).context["intake_token"]
    data = {
        "intake_token": token,
        "channel": "counter",
        "reporter_relation": "self",
        "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    teller_client.post(reverse("incidents:case_new"), data)
    teller_client.post(reverse("incidents:case_new"), data)
    assert Case.objects.count() == 1


def test_submitting_without_the_confirmation_keeps_the_draft(teller_client, teller):
    case = factories.stolen_card_case(teller, submit=False)
    response = teller_client.post(reverse("incidents:case_submit", args=[case.pk]), {})
    assert "チェックしてください" in errors_of(response)
    case.refresh_from_db()
    assert case.is_draft


def test_the_case_page_shows_everything_entered_with_the_timeline(teller_client, teller):
    case = factories.stolen_card_case(teller)
    page = teller_client.get(case.get_absolute_url()).content.decode()
    for text in (
        case.number,
        "山田 太郎",
        "ヤマダ タロウ",
        "丸の内警察署",
        "200,000",
        "カード利用停止",
        case.actions.get().reference,
    ):
        assert text in page
    # The timeline is the page's 経過 tab, loaded when opened.
    timeline = teller_client.get(reverse("incidents:case_timeline", args=[case.pk]))
    assert "受付完了" in timeline.content.decode()


def test_a_second_teller_saving_a_stale_step_is_refused_and_sees_the_newer_data(
    client, teller, other_supervisor
):
    case = factories.draft(teller)
    url = step_url(case, "customer")
    client.force_login(teller)
    opened_version = client.get(url).context["version"]
    other = client_class_for(other_supervisor)
    data = {
        "customer_number": "1",
        "customer_type": "individual",
        "customer_name": "山田 太郎",
        "customer_name_kana": "ヤマダ タロウ",
        "version": str(opened_version),
    }
    assert other.post(url, {**data, "customer_phone": "03-1111-2222"}).status_code == 302
    response = client.post(url, {**data, "customer_phone": "090-9999-9999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "他の職員が更新しました" in html
    assert "03-1111-2222" in html  # the newer data is shown
    assert "090-9999-9999" in html  # and what this teller typed is kept on screen
    case.refresh_from_db()
    assert case.customer_phone == "03-1111-2222"


def client_class_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other


def test_a_first_step_without_its_token_opens_nothing_and_keeps_what_was_typed(teller_client):
    data = {
        "channel": "phone",
        "reporter_relation": "self",
        "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "intake_token": "",
    }
    for _attempt in range(2):
        response = teller_client.post(reverse("incidents:case_new"), data)
        assert response.status_code == 200
        assert "受付キーがありません" in response.content.decode()
    assert not Case.objects.exists()
    assert response.context["form"]["channel"].value() == "phone"


def test_without_script_add_a_row_saves_the_step_and_shows_it_again_with_an_empty_row(
    teller_client, teller
):
    """Progressive enhancement: the 「行を追加」 button is an ordinary submit, so a browser with no
    script gets the step saved and shown again with one more, empty, row."""
    case = factories.draft(teller)
    url = reverse("incidents:intake_step", args=[case.pk, "items"])
    row = item_post()
    del row["next"]
    row["add_row"] = "1"
    response = teller_client.post(url, factories.stamped(case, row))
    assert response.status_code == 302 and response["Location"] == f"{url}?add=1"
    assert case.items.count() == 1
    page = teller_client.get(response["Location"]).content.decode()
    assert re.search(r'name="items-TOTAL_FORMS"[^>]*value="2"', page)
    assert 'name="items-1-kind"' in page
