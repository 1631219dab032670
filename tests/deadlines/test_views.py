"""Deadlines on screen: the case page, the police-report form, documents received, the home list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from incidents import deadlines
from incidents.cases import services
from incidents.models import Case, Deadline
from incidents.models.choices import CaseStatus
from tests import factories
from tests.deadlines.conftest import preliminary_case

pytestmark = pytest.mark.django_db


def documents_url(case):
    return reverse("incidents:case_documents", args=[case.pk])


def police_url(case):
    return reverse("incidents:case_record_police", args=[case.pk])


def police_post(case, **overrides):
    data = {
        "version": str(case.version),
        "police_station": "丸の内警察署",
        "police_filed_on": factories.today().isoformat(),
        "police_receipt_number": "２０２６－１２３",
    }
    data.update(overrides)
    return data


def test_the_case_page_shows_the_police_form_and_its_documents_tab_the_deadlines(
    teller_client, police_pending_case, django_assert_max_num_queries
):
    case = police_pending_case
    # The same bound as the compensation panel's test of this page (the access log entry
    # included).
    with django_assert_max_num_queries(13):
        page = teller_client.get(case.get_absolute_url())
    html = page.content.decode()
    assert "警察への届出を記録" in html and 'data-testid="police-record"' in html
    assert 'data-testid="deadlines"' not in html  # the 期限・書類 tab, loaded when opened
    with django_assert_max_num_queries(11):
        tab = teller_client.get(documents_url(case))
    html = tab.content.decode()
    assert 'data-testid="deadlines"' in html
    assert 'data-testid="deadline-police_report"' in html
    assert 'data-testid="deadline-customer_documents"' in html
    assert 'data-testid="meet-customer_documents"' in html


def test_recording_the_police_report_on_the_case_page_meets_its_deadline(
    teller_client, police_pending_case
):
    case = police_pending_case
    response = teller_client.post(police_url(case), police_post(case))
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    case.refresh_from_db()
    assert case.police_status == "filed" and case.police_station == "丸の内警察署"
    assert case.police_receipt_number == "2026-123"  # full-width typed, stored half-width
    assert case.deadlines.get(kind="police_report").state == "met"
    page = teller_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="police-record"' not in page
    assert "警察への届出を記録しました。" in page


def test_a_police_form_with_mistakes_keeps_what_was_typed_and_explains_in_japanese(
    teller_client, police_pending_case
):
    case = police_pending_case
    tomorrow = (factories.today() + timedelta(days=1)).isoformat()
    response = teller_client.post(
        police_url(case), police_post(case, police_station="", police_filed_on=tomorrow)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "警察署名を入力してください。" in html
    assert "未来の日付は入力できません。" in html
    assert "２０２６－１２３" in html or "2026-123" in html
    assert case.deadlines.get(kind="police_report").state == "open"


def test_a_stale_police_form_is_refused_and_shows_the_newer_data(
    teller_client, police_pending_case, supervisor
):
    case = police_pending_case
    opened_on = case.version
    services.case_update(
        case=case, user=supervisor, step="police", fields={"police_station": "神田警察署"}
    )
    response = teller_client.post(police_url(case), police_post(case, version=str(opened_on)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "他の職員が更新しました" in html
    assert "神田警察署" in html and "丸の内警察署" in html  # theirs shown, ours kept
    case.refresh_from_db()
    assert case.police_status == "not_yet"


def test_another_branch_cannot_see_or_record_the_police_report(
    client, other_teller, police_pending_case
):
    client.force_login(other_teller)
    case = police_pending_case
    assert client.post(police_url(case), police_post(case)).status_code == 404
    case.refresh_from_db()
    assert case.police_status == "not_yet"


def test_the_monitoring_center_sees_the_case_but_does_not_record_the_branchs_follow_up(
    client, monitoring_agent, police_pending_case
):
    client.force_login(monitoring_agent)
    case = police_pending_case
    assert 'data-testid="police-record"' not in client.get(case.get_absolute_url()).content.decode()
    assert client.post(police_url(case), police_post(case)).status_code == 403


def test_documents_received_closes_the_documents_deadline_only(teller_client, police_pending_case):
    case = police_pending_case
    documents = case.deadlines.get(kind="customer_documents")
    police = case.deadlines.get(kind="police_report")
    url = reverse("incidents:deadline_meet", args=[case.pk, documents.pk])
    response = teller_client.post(url, factories.stamped(case))
    # Back to the tab the button is on.
    assert response.status_code == 302 and response.url == documents_url(case) + "#deadlines"
    documents.refresh_from_db()
    assert documents.state == "met"
    html = teller_client.get(response.url).content.decode()
    assert "「所定の書類」を完了にしました。" in html
    assert 'data-testid="meet-customer_documents"' not in html
    police_url_ = reverse("incidents:deadline_meet", args=[case.pk, police.pk])
    assert (
        teller_client.post(police_url_, factories.stamped(case)).status_code == 404
    )  # met by recording the report
    police.refresh_from_db()
    assert police.state == "open"


def test_the_home_page_lists_pickups_first_and_the_preliminary_case_on_top(
    teller_client, teller, monitoring_agent, branch, other_branch, django_assert_max_num_queries
):
    reported = factories.stolen_card_case(teller, police="not_yet")
    Deadline.objects.filter(case=reported).update(due_at=factories.at(factories.today(), 9))
    waiting = preliminary_case(monitoring_agent, branch)
    preliminary_case(monitoring_agent, other_branch)  # another branch's: not shown
    with django_assert_max_num_queries(10):
        html = teller_client.get(reverse("incidents:home")).content.decode()
    panel = html[html.index('data-testid="owed-deadlines"') :]
    panel = panel[: panel.index("</table>")]
    assert panel.count("<tr") == 1 + 3  # header + pickup + police + documents of this branch
    assert panel.index(waiting.number) < panel.index(reported.number)
    cases = html[html.index('data-testid="open-cases"') :]
    assert cases.index(waiting.number) < cases.index(reported.number)


def test_a_picked_up_case_no_longer_waits_on_top(teller_client, teller, monitoring_agent, branch):
    waiting = preliminary_case(monitoring_agent, branch)
    services.case_transition(case=waiting, user=teller, to=CaseStatus.REPORTED)
    newer = factories.stolen_card_case(teller)
    html = teller_client.get(reverse("incidents:home")).content.decode()
    cases = html[html.index('data-testid="open-cases"') :]
    assert cases.index(newer.number) < cases.index(waiting.number)
    assert Case.objects.get(pk=waiting.pk).deadlines.get(kind="after_hours_pickup").state == "met"


def test_the_receipt_prints_the_due_dates_of_the_deadlines(teller_client, police_pending_case):
    case = police_pending_case
    Deadline.objects.filter(case=case, kind="police_report").update(
        due_at=factories.at(factories.today() + timedelta(days=9), 15)
    )
    html = teller_client.get(reverse("incidents:case_receipt", args=[case.pk])).content.decode()
    due = factories.today() + timedelta(days=9)
    assert f"{due.year}年{due.month}月{due.day}日まで" in html


def test_escalated_deadlines_stand_out_on_the_documents_tab_and_in_the_header(
    teller_client, police_pending_case, supervisor
):
    case = police_pending_case
    deadline = case.deadlines.get(kind="police_report")
    deadlines.deadlines_scan(now=deadline.due_at + timedelta(minutes=1))
    html = teller_client.get(documents_url(case)).content.decode()
    row = html[html.index('data-testid="deadline-police_report"') :]
    row = row[: row.index("</tr>")]
    assert "table-danger" in row and "エスカレーション済" in row
    page = teller_client.get(case.get_absolute_url()).content.decode()
    owed = page.split('data-testid="owed-next"')[1].split("</span></span>")[0]
    assert deadline.get_kind_display() in owed and "期限超過" in owed
