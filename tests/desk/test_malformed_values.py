"""One malformed value in a URL or a form is refused with a message in Japanese, never a 500:
each value goes through a form, digits are ASCII only, control characters are refused and dates
stay within the project's one range."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from incidents.audit.selectors import access_log_search
from incidents.cases.edits import EditStamp
from incidents.cases.validators import AsciiIntegerField
from incidents.desk.forms import BulkAssignForm
from tests import factories

from .conftest import call

pytestmark = pytest.mark.django_db


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("value", ["abc", "²", "١٢٣", "-1", "99999999999999999999", "\x00", ""])
def test_a_malformed_stop_to_perform_is_refused_with_a_message_and_stops_nothing(
    client, monitoring_agent, branch, value
):
    case = call(monitoring_agent, stop=False)
    client.force_login(monitoring_agent)
    stops = reverse("incidents:case_stops", args=[case.pk])
    response = client.post(stops, {"perform": value})
    assert response.status_code == 302 and response["Location"] == stops
    assert any("実施する停止を" in message for message in told(response))
    assert not case.actions.filter(status="done").exists()


def test_a_tick_in_the_queue_that_is_not_ascii_digits_is_refused_with_a_message(
    client, supervisor, teller
):
    case = factories.stolen_card_case(teller)
    before = (case.assigned_to_id, case.version)
    client.force_login(supervisor)
    for value in ("²", f"{case.pk}:²", "١٢٣:1", f"{case.pk}:99999999999999999999"):
        response = client.post(
            reverse("incidents:queue_assign"), {"cases": [value], "assignee": supervisor.pk}
        )
        assert response.status_code == 302
        assert "選択が正しくありません。" in told(response)
    case.refresh_from_db()
    assert (case.assigned_to_id, case.version) == before


def test_bulk_assignment_reads_only_ascii_ids_within_a_bigint():
    ticked = ["12:3", "²:1", "١٢٣:1", "99999999999999999999:1", "7:x"]
    form = BulkAssignForm(MultiValueDict({"cases": ticked}), staff=[])
    assert form.requested_ids() == {12}


@pytest.mark.parametrize("value", ["²", "١٢٣", "１２３", "\x00", "-1"])
def test_a_branch_in_the_queue_url_that_is_not_on_the_list_is_set_aside_with_a_notice(
    client, compliance_officer, teller, other_teller, value
):
    mine = factories.stolen_card_case(teller)
    theirs = factories.stolen_card_case(other_teller)
    client.force_login(compliance_officer)
    response = client.get(reverse("incidents:queue"), {"branch": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "次の条件は正しくないため、使わずに表示しています：店舗" in page
    assert mine.number in page and theirs.number in page


def test_a_nul_in_the_console_search_is_refused_with_a_message_and_the_page_still_answers(
    client, monitoring_agent, branch
):
    case = call(monitoring_agent)
    client.force_login(monitoring_agent)
    console = reverse("incidents:monitoring_console")
    for value in ("\x00", f"{case.number}\x00", "夜間\x07"):
        response = client.get(console, {"q": value})
        assert response.status_code == 200
        page = response.content.decode()
        assert "制御文字（NULなど）は入力できません。" in page
        assert 'data-testid="console-results"' not in page
    found = client.get(console, {"q": case.number}).content.decode()
    assert 'data-testid="console-results"' in found and case.number in found


def test_the_access_log_refuses_a_date_past_the_range_and_still_answers(client, compliance_officer):
    url = reverse("incidents:access_log")
    client.force_login(compliance_officer)
    for params in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}):
        response = client.get(url, params)
        assert response.status_code == 200
        assert "1900/01/01 から 2999/12/31 までの日付を入力してください。" in (
            response.content.decode()
        )


def test_the_access_log_search_does_not_overflow_on_the_last_day_there_is(teller):
    factories.stolen_card_case(teller)
    rows, has_next = access_log_search(date_from=date.min, date_to=date.max)
    assert (rows, has_next) == ([], False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("-3", -3), ("²", None), ("١٢٣", None), ("１２３", None), ("1.0", None),
     ("99999999999999999999", None), ("\x00", None)],
)  # fmt: skip
def test_numbers_a_page_sends_back_are_ascii_digits_within_a_bigint(value, expected):
    field = AsciiIntegerField(required=False)
    try:
        parsed = field.clean(value)
    except ValidationError:
        parsed = None
    assert parsed == expected
    posted = RequestFactory().post("/", {"version": value})
    assert EditStamp.from_request(posted).version == (
        expected if expected is None or expected >= 0 else None
    )
