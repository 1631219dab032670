"""The monitoring center after hours: a short call intake, emergency stops, the handoff, pickup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.cases import services
from incidents.cases.signals import case_status_changed, case_submitted
from incidents.models import Case
from tests import factories

from .conftest import call, deadline

pytestmark = pytest.mark.django_db

CALL = reverse("incidents:monitoring_call_new")


def call_form(**overrides):
    data = {
        "intake_token": "2b7c6a1e-0b7e-4a53-9a3e-5c1f0d7f9a11",
        "reporter_relation": "self",
        "customer_number": "５５５００１",
        "customer_type": "individual",
        "customer_name": "夜間 花子",
        "customer_name_kana": "ﾔｶﾝ ﾊﾅｺ",
        "customer_phone": "090-0000-1111",
        "circumstances_note": "飲食店で鞄ごと盗まれた",
        "stop_now": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "items-0-kind": "cash_card",
        "items-0-state": "stolen",
        "items-0-account_branch": "００１",
        "items-0-account_number": "7654321",
        "items-1-kind": "passbook",
        "items-1-state": "stolen",
        "items-1-account_branch": "001",
        "items-1-account_number": "7654321",
    }
    data.update(overrides)
    return data


@pytest.fixture
def received():
    """Signals sent, as (signal name, case status)."""
    seen = []

    def on_submitted(sender, case, user, **kwargs):
        seen.append(("submitted", case.status, case.number))

    def on_changed(sender, case, user, old, new, **kwargs):
        seen.append(("status_changed", old, new))

    case_submitted.connect(on_submitted, dispatch_uid="test-submitted")
    case_status_changed.connect(on_changed, dispatch_uid="test-changed")
    yield seen
    case_submitted.disconnect(dispatch_uid="test-submitted")
    case_status_changed.disconnect(dispatch_uid="test-changed")


def test_a_call_opens_a_numbered_preliminary_case_at_the_accounts_branch_with_the_stops_done(
    client, monitoring_agent, branch, other_branch, received
):
    client.force_login(monitoring_agent)
    assert client.get(CALL).status_code == 200
    response = client.post(CALL, call_form())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "incidents:case_stops", args=[case.pk]
    )
    assert case.status == "preliminary" and case.after_hours and case.channel == "phone"
    assert case.branch == branch and case.number.startswith("001-")
    assert case.customer_name_kana == "ヤカン ハナコ" and case.customer_number == "555001"
    assert case.created_by == monitoring_agent and case.assigned_to is None
    stops = {a.kind: a.status for a in case.actions.all()}
    assert stops["card_suspend"] == "done" and stops["payment_stop"] == "done"
    assert stops["seal_check"] == "proposed"  # left for the branch
    assert all(a.reference.startswith("STP-") for a in case.actions.filter(status="done"))
    assert received == [("submitted", "preliminary", case.number)]
    assert case.events.filter(kind="preliminary").exists()
    # The number continues the branch's own sequence.
    teller_case = factories.stolen_card_case(factories.staff("t1", "teller", branch))
    assert int(teller_case.number[-5:]) == int(case.number[-5:]) + 1


def test_resending_the_call_form_opens_no_second_case(client, monitoring_agent, branch):
    client.force_login(monitoring_agent)
    client.post(CALL, call_form())
    client.post(CALL, call_form())
    assert Case.objects.count() == 1


def test_a_call_without_stops_leaves_them_for_the_branch(client, monitoring_agent, branch):
    client.force_login(monitoring_agent)
    client.post(CALL, call_form(stop_now=""))
    assert not Case.objects.get().actions.filter(status="done").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"items-0-account_branch": "999", "items-1-account_branch": "999"},
            "店番 999 の支店が見つかりません",
        ),
        (
            {
                "items-0-kind": "",
                "items-0-state": "",
                "items-0-account_branch": "",
                "items-0-account_number": "",
                "items-1-kind": "",
                "items-1-state": "",
                "items-1-account_branch": "",
                "items-1-account_number": "",
            },
            "1件以上入力してください",
        ),
        ({"items-0-state": "credentials_stolen"}, "この種類には選べない内容です"),
        ({"items-0-account_number": ""}, "口座（店番・口座番号）を入力してください"),
        ({"customer_name_kana": "Yakan Hanako"}, "フリガナは全角カタカナで入力してください"),
    ],
)
def test_a_call_with_a_problem_is_explained_in_japanese_and_keeps_what_was_typed(
    client, monitoring_agent, branch, overrides, message
):
    client.force_login(monitoring_agent)
    response = client.post(CALL, call_form(**overrides))
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "飲食店で鞄ごと盗まれた" in page
    assert not Case.objects.exists()


def test_the_console_finds_a_case_of_any_branch_and_stops_a_further_item(
    client, monitoring_agent, other_teller
):
    case = factories.stolen_card_case(other_teller)
    client.force_login(monitoring_agent)
    console = client.get(reverse("incidents:monitoring_console"), {"q": "やまだ"}).content.decode()
    assert case.number in console
    stops = reverse("incidents:case_stops", args=[case.pk])
    assert client.get(stops).status_code == 200
    client.post(
        stops,
        factories.stamped(
            case,
            {
                "add_item": "1",
                "add-kind": "online_banking",
                "add-state": "credentials_stolen",
                "add-account_branch": "002",
                "add-account_number": "1112223",
            },
        ),
    )
    ib = case.actions.get(kind="ib_suspend")
    assert ib.status == "done" and ib.performed_by == monitoring_agent
    assert case.actions.get(kind="ib_reset").status == "proposed"
    assert case.items.count() == 2
    assert case.events.filter(kind="item_added", actor=monitoring_agent).exists()
    case.refresh_from_db()
    assert "a0021112223" in case.search_text


def test_pending_emergency_stops_are_carried_out_one_by_one_or_all_at_once(
    client, monitoring_agent, branch
):
    case = call(monitoring_agent, stop=False)
    client.force_login(monitoring_agent)
    stops = reverse("incidents:case_stops", args=[case.pk])
    action = case.actions.get(kind="card_suspend")
    clicked = factories.stamped(case, perform=action.pk)
    client.post(stops, clicked)
    action.refresh_from_db()
    assert action.status == "done"
    client.post(stops, clicked)  # a second click stops nothing twice
    action.refresh_from_db()
    assert case.events.filter(kind="stop_done").count() == 1


def test_the_handoff_list_shows_preliminary_cases_with_their_pickup_deadline(
    client, monitoring_agent, teller, other_branch
):
    soon = call(monitoring_agent)
    later = call(monitoring_agent, account_branch="002")
    deadline(soon, kind="after_hours_pickup", hours=2)
    deadline(later, kind="after_hours_pickup", hours=20)
    picked = call(monitoring_agent)
    services.case_pickup(case=picked, user=teller, assignee=teller)
    client.force_login(monitoring_agent)
    page = client.get(reverse("incidents:monitoring_console")).content.decode()
    handoff = page.split('data-testid="handoff"')[1]
    assert handoff.index(soon.number) < handoff.index(later.number)
    assert picked.number not in handoff
    assert "新宿支店" in handoff


def test_the_branch_sees_after_hours_cases_awaiting_pickup_at_the_top_and_picks_one_up(
    client, teller, monitoring_agent, received
):
    older = factories.stolen_card_case(teller)
    night = call(monitoring_agent)
    deadline(night, kind="after_hours_pickup", hours=3)
    newer = factories.stolen_card_case(teller)
    client.force_login(teller)
    page = client.get(reverse("incidents:home")).content.decode()
    page = page.split('data-testid="open-cases"')[1]
    assert page.index(night.number) < page.index(newer.number) < page.index(older.number)
    assert 'data-testid="awaiting-pickup"' in page
    response = client.post(
        reverse("incidents:case_pickup", args=[night.pk]), {"version": night.version}
    )
    assert response.status_code == 302
    night.refresh_from_db()
    assert night.status == "reported" and night.assigned_to == teller
    assert ("status_changed", "preliminary", "reported") in received
    assert night.events.filter(kind="status_changed", actor=teller).exists()
    assert night.events.filter(kind="assigned", actor=teller).exists()


def test_a_supervisor_picks_up_for_a_teller_but_a_teller_only_for_themselves(
    client, supervisor, teller, other_supervisor, monitoring_agent
):
    first, second = call(monitoring_agent), call(monitoring_agent)
    client.force_login(supervisor)
    client.post(
        reverse("incidents:case_pickup", args=[first.pk]),
        {"version": first.version, "assignee": teller.pk},
    )
    client.force_login(teller)
    client.post(
        reverse("incidents:case_pickup", args=[second.pk]),
        {"version": second.version, "assignee": other_supervisor.pk},
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert first.assigned_to == teller and second.assigned_to == teller


def test_two_people_picking_up_the_same_call_the_second_is_told_it_is_taken(
    client, teller, supervisor, monitoring_agent
):
    case = call(monitoring_agent)
    other = type(client)()
    other.force_login(supervisor)
    client.force_login(teller)
    other.post(reverse("incidents:case_pickup", args=[case.pk]), {"version": case.version})
    response = client.post(
        reverse("incidents:case_pickup", args=[case.pk]), {"version": case.version}, follow=True
    )
    case.refresh_from_db()
    assert case.assigned_to == supervisor
    assert "他の職員が更新しました" in response.content.decode()
    assert case.events.filter(kind="status_changed").count() == 1


def test_a_picked_up_case_cannot_be_picked_up_again(teller, monitoring_agent):
    case = call(monitoring_agent)
    services.case_pickup(case=case, user=teller, assignee=teller)
    with pytest.raises(services.TransitionError):
        services.case_pickup(case=case, user=teller, assignee=teller)


def test_the_monitoring_centers_start_page_is_its_console(client, monitoring_agent):
    client.force_login(monitoring_agent)
    response = client.get(reverse("incidents:home"))
    assert response.status_code == 302 and response.url == reverse("incidents:monitoring_console")


def test_adding_the_same_item_twice_from_one_page_adds_it_once(client, monitoring_agent, teller):
    case = factories.stolen_card_case(teller)
    client.force_login(monitoring_agent)
    stops = reverse("incidents:case_stops", args=[case.pk])
    form = {
        "add_item": "1",
        "add-kind": "passbook",
        "add-state": "lost",
        "add-account_branch": "001",
        "add-account_number": "1234567",
    }
    clicked = factories.stamped(case, form)
    second_agent = factories.stamped(case, form)  # the same page, opened on another desk
    client.post(stops, clicked)
    response = client.post(stops, clicked, follow=True)  # a double click
    assert case.items.filter(kind="passbook").count() == 1
    assert "他の職員が更新しました" not in response.content.decode()
    response = client.post(stops, second_agent, follow=True)
    assert case.items.filter(kind="passbook").count() == 1
    assert "他の職員が更新しました" in response.content.decode()


def test_the_branch_list_reads_its_deadlines_in_the_same_query_whatever_the_rows(
    client, teller, monitoring_agent
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(teller)

    def queries():
        client.get(reverse("incidents:home"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("incidents:home")).status_code == 200
        return len(captured)

    deadline(call(monitoring_agent), kind="after_hours_pickup", hours=3)
    few = queries()
    for _n in range(6):
        deadline(factories.stolen_card_case(teller), hours=-2)
        deadline(call(monitoring_agent), kind="after_hours_pickup", hours=5)
    assert queries() == few


def test_a_call_without_its_token_opens_no_case(client, monitoring_agent, branch):
    from tests.permissions.matrix import after_hours_call

    client.force_login(monitoring_agent)
    data = {**after_hours_call(None), "intake_token": "not-a-token"}
    for _attempt in range(2):
        response = client.post(reverse("incidents:monitoring_call_new"), data)
        assert response.status_code == 200
        assert "受付キーがありません" in response.content.decode()
    assert not Case.objects.exists()
