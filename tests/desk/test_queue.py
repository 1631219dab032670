"""The supervisor's queue: filters in the URL, search, sort, pages, badges, assignment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.cases import services
from incidents.cases.edits import EditStamp
from incidents.desk.queue_selectors import PAGE_SIZE
from incidents.models import Case, TimelineEvent
from tests import factories

from .conftest import call, deadline

pytestmark = pytest.mark.django_db

QUEUE = reverse("incidents:queue")


def numbers(response) -> list[str]:
    """Case numbers in the queue's rows, in order."""
    return re.findall(
        r'data-testid="queue-row">.*?<a href="[^"]+">([^<]+)</a>', response.content.decode(), re.S
    )


def many_cases(teller, count, **fields):
    """``count`` reported cases on the teller's branch, one minute apart (the newest last)."""
    now = timezone.now()
    cases = []
    for n in range(count):
        case = factories.draft(teller, notified_at=now - timedelta(minutes=count - n), **fields)
        case.status, case.number = "reported", f"{teller.branch.code}-2026-{n + 1:05d}"
        case.year, case.sequence = 2026, n + 1
        case.save()
        cases.append(case)
    return cases


def test_the_queue_lists_the_branchs_open_cases_newest_first(
    client, supervisor, teller, other_teller
):
    first = factories.stolen_card_case(teller)
    second = factories.stolen_card_case(teller)
    theirs = factories.stolen_card_case(other_teller)
    closed = factories.stolen_card_case(teller)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    factories.draft(teller)
    client.force_login(supervisor)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [second.number, first.number]
    assert theirs.number not in response.content.decode()
    assert numbers(client.get(QUEUE, {"status": "all"})) == [
        closed.number,
        second.number,
        first.number,
    ]
    assert numbers(client.get(QUEUE, {"status": "closed"})) == [closed.number]
    assert numbers(client.get(QUEUE, {"sort": "notified_at"})) == [first.number, second.number]


def test_filters_on_item_kind_assignee_and_deadlines_are_kept_in_the_url(
    client, supervisor, teller, other_supervisor
):
    card = factories.stolen_card_case(teller)
    ib = factories.draft(teller, customer_name="加藤 恵子", customer_name_kana="カトウ ケイコ")
    services.case_save_items(
        case=ib,
        user=teller,
        rows=[
            {
                "kind": "online_banking",
                "state": "credentials_stolen",
                "account_branch": "001",
                "account_number": "7654321",
                "noticed_on": factories.today(),
            }
        ],
    )
    for action in ib.actions.all():
        services.action_perform(action=action, user=teller)
    services.case_update(case=ib, user=teller, step="police", fields={"police_status": "not_yet"})
    ib = services.case_submit(case_id=ib.pk, user=teller)
    services.case_assign(case=ib, user=supervisor, assignee=other_supervisor)
    deadline(card, hours=-3)  # police report overdue
    deadline(ib, kind="customer_documents", hours=30)
    client.force_login(supervisor)

    assert numbers(client.get(QUEUE, {"kind": "online_banking"})) == [ib.number]
    assert numbers(client.get(QUEUE, {"kind": "cash_card"})) == [card.number]
    assert numbers(client.get(QUEUE, {"assignee": str(other_supervisor.pk)})) == [ib.number]
    assert numbers(client.get(QUEUE, {"assignee": "none"})) == []
    assert numbers(client.get(QUEUE, {"assignee": "me"})) == []
    assert set(numbers(client.get(QUEUE, {"assignee": str(teller.pk)}))) == {card.number}
    assert numbers(client.get(QUEUE, {"due": "overdue"})) == [card.number]
    assert numbers(client.get(QUEUE, {"due": "1"})) == []
    assert numbers(client.get(QUEUE, {"due": "3"})) == [ib.number]
    assert numbers(client.get(QUEUE, {"sort": "due"})) == [card.number, ib.number]
    page = client.get(QUEUE, {"q": "かとう", "kind": "online_banking"}).content.decode()
    assert ib.number in page and card.number not in page
    assert 'value="online_banking" selected' in page  # the filter is shown as chosen


def test_badges_mark_overdue_and_soon_due_cases(client, supervisor, teller):
    overdue = factories.stolen_card_case(teller)
    soon = factories.stolen_card_case(teller)
    later = factories.stolen_card_case(teller)
    deadline(overdue, hours=-1)
    deadline(soon, hours=5)
    deadline(later, hours=24 * 10)
    client.force_login(supervisor)
    rows = client.get(QUEUE).content.decode().split('data-testid="queue-row"')[1:]
    by_number = {re.search(r">(\d{3}-\d{4}-\d{5})<", row).group(1): row for row in rows}
    assert "badge-overdue" in by_number[overdue.number]
    assert "badge-soon" in by_number[soon.number]
    assert "badge-" not in by_number[later.number]


def test_pages_hold_fifty_cases_and_know_whether_more_follow_without_counting(
    client, supervisor, teller, django_assert_num_queries
):
    cases = many_cases(teller, PAGE_SIZE + 1)
    client.force_login(supervisor)
    first = client.get(QUEUE, {"status": "reported"})
    assert len(numbers(first)) == PAGE_SIZE
    assert 'data-testid="next-page"' in first.content.decode()
    second = client.get(QUEUE, {"status": "reported", "page": "2"})
    assert numbers(second) == [cases[0].number]
    assert 'data-testid="next-page"' not in second.content.decode()
    assert "page=1" in second.content.decode() and "status=reported" in second.content.decode()


def test_nonsense_in_the_url_is_ignored_not_an_error(client, supervisor, teller):
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    response = client.get(
        QUEUE, {"status": "bogus", "page": "-4", "due": "x", "sort": "drop table", "branch": "abc"}
    )
    assert response.status_code == 200
    assert numbers(response) == [case.number]


def queue_queries(client, django_assert_max_num_queries, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(QUEUE, params)  # the staff pick list is cached after the first page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(captured), len(numbers(response))


@pytest.mark.parametrize(
    "params", [{}, {"q": "やまだ", "due": "7", "kind": "cash_card", "sort": "due"}]
)
def test_the_number_of_queries_per_queue_page_does_not_grow_with_the_rows(
    client, supervisor, teller, other_supervisor, params, django_assert_max_num_queries
):
    client.force_login(supervisor)
    few = [factories.stolen_card_case(teller) for _n in range(2)]
    for case in few:
        deadline(case, hours=48)
    small, shown_small = queue_queries(client, django_assert_max_num_queries, params)
    more = [factories.stolen_card_case(teller) for _n in range(10)]
    for n, case in enumerate(more):
        deadline(case, hours=24 + n)
        deadline(case, kind="customer_documents", hours=-n)
        services.case_assign(case=case, user=supervisor, assignee=other_supervisor)
    large, shown_large = queue_queries(client, django_assert_max_num_queries, params)
    assert (shown_small, shown_large) == (2, 12)
    assert small == large
    assert large <= 12


def test_compliance_reads_every_branchs_queue_without_actions(
    client, compliance_officer, teller, other_teller, other_branch
):
    mine = factories.stolen_card_case(teller)
    theirs = factories.stolen_card_case(other_teller)
    client.force_login(compliance_officer)
    page = client.get(QUEUE).content.decode()
    assert mine.number in page and theirs.number in page
    assert 'name="cases"' not in page and "bulk-assign" not in page
    assert numbers(client.get(QUEUE, {"branch": str(other_branch.pk)})) == [theirs.number]


def test_a_supervisor_cannot_filter_their_way_into_another_branch(
    client, supervisor, other_teller, other_branch
):
    theirs = factories.stolen_card_case(other_teller)
    client.force_login(supervisor)
    response = client.get(QUEUE, {"branch": str(other_branch.pk), "q": theirs.number})
    assert numbers(response) == [] and "山田" not in response.content.decode()


def bulk(client, cases, assignee, **extra):
    return client.post(
        reverse("incidents:queue_assign"),
        {
            "cases": [f"{c.pk}:{c.version}" for c in cases],
            "assignee": assignee.pk if assignee else "",
            **extra,
        },
    )


def test_a_supervisor_assigns_many_cases_at_once_each_on_the_timeline(
    client, supervisor, teller, other_supervisor
):
    cases = [factories.stolen_card_case(teller) for _n in range(3)]
    client.force_login(supervisor)
    response = bulk(client, cases, other_supervisor, next=QUEUE + "?status=reported")
    assert response.status_code == 302 and response.url == QUEUE + "?status=reported"
    for case in cases:
        case.refresh_from_db()
        assert case.assigned_to == other_supervisor
        event = case.events.get(kind="assigned")
        assert event.actor == supervisor and other_supervisor.display_name in event.message


def test_bulk_assignment_skips_a_case_someone_changed_since_the_list_was_shown(
    client, supervisor, teller, other_supervisor
):
    fresh, stale = factories.stolen_card_case(teller), factories.stolen_card_case(teller)
    shown = [Case.objects.get(pk=fresh.pk), Case.objects.get(pk=stale.pk)]
    services.case_assign(
        case=stale,
        user=other_supervisor,
        assignee=other_supervisor,
        stamp=EditStamp(version=stale.version),
    )
    client.force_login(supervisor)
    response = bulk(client, shown, supervisor)
    fresh.refresh_from_db(), stale.refresh_from_db()
    assert fresh.assigned_to == supervisor
    assert stale.assigned_to == other_supervisor  # not silently overwritten
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(stale.number in m and "他の職員が更新" in m for m in messages)


def test_bulk_assignment_including_another_branchs_case_changes_nothing(
    client, supervisor, teller, other_teller
):
    mine, theirs = factories.stolen_card_case(teller), factories.stolen_card_case(other_teller)
    client.force_login(supervisor)
    assert bulk(client, [mine, theirs], supervisor).status_code == 404
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.assigned_to == teller and theirs.assigned_to == other_teller


def test_a_case_cannot_be_given_to_staff_of_another_branch(
    client, supervisor, teller, other_teller
):
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    bulk(client, [case], other_teller)
    client.post(
        reverse("incidents:case_assign", args=[case.pk]),
        {"assignee": other_teller.pk, "version": case.version},
    )
    case.refresh_from_db()
    assert case.assigned_to == teller


def test_two_supervisors_assigning_the_same_case_the_second_is_refused_and_sees_the_newer_data(
    client, supervisor, other_supervisor, teller
):
    case = factories.stolen_card_case(teller)
    opened_version = case.version
    other = type(client)()
    other.force_login(other_supervisor)
    client.force_login(supervisor)
    first = other.post(
        reverse("incidents:case_assign", args=[case.pk]),
        {"assignee": other_supervisor.pk, "version": opened_version},
    )
    assert first.status_code == 302
    second = client.post(
        reverse("incidents:case_assign", args=[case.pk]),
        {"assignee": supervisor.pk, "version": opened_version},
        follow=True,
    )
    case.refresh_from_db()
    assert case.assigned_to == other_supervisor
    page = second.content.decode()
    assert "他の職員が更新しました" in page and other_supervisor.display_name in page
    assert case.events.filter(kind="assigned").count() == 1


def test_a_supervisor_claims_a_case(client, supervisor, teller):
    case = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="claim"' in page
    client.post(reverse("incidents:case_claim", args=[case.pk]), {"version": case.version})
    case.refresh_from_db()
    assert case.assigned_to == supervisor
    assert TimelineEvent.objects.filter(case=case, kind="assigned", actor=supervisor).exists()


def test_the_monitoring_centers_calls_are_in_the_branch_queue(client, supervisor, monitoring_agent):
    case = call(monitoring_agent)
    client.force_login(supervisor)
    assert numbers(client.get(QUEUE, {"status": "preliminary"})) == [case.number]


def test_a_new_member_of_staff_appears_in_the_pick_lists_at_once(client, supervisor, teller):
    factories.stolen_card_case(teller)
    client.force_login(supervisor)
    assert "Newcomer" not in client.get(QUEUE).content.decode()
    newcomer = factories.staff("newcomer", "teller", teller.branch)
    assert newcomer.display_name in client.get(QUEUE).content.decode()
    newcomer.is_active = False
    newcomer.save()
    assert newcomer.display_name not in client.get(QUEUE).content.decode()
