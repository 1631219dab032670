"""The case page as a workspace: the header, the tabs, the history loaded when opened, and a
number of queries that does not grow with the case."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.cases import services
from tests import factories

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_header_names_the_case_its_customer_assignee_and_what_is_owed_next(
    teller_client, teller, supervisor
):
    case = factories.stolen_card_case(teller, police="not_yet")
    html = teller_client.get(case.get_absolute_url()).content.decode()
    header = html.split('data-testid="case-header"')[1].split("</header>")[0]
    assert case.number in header and case.get_status_display() in header
    assert case.customer_name in header
    owed = case.deadlines.filter(state="open").order_by("due_at").first()
    assert owed is not None
    assert owed.get_kind_display() in header.split('data-testid="owed-next"')[1]
    assert f'data-testid="header-assignee">{teller.display_name}<' in header  # who took it
    services.case_assign(case=case, user=supervisor, assignee=supervisor)
    html = teller_client.get(case.get_absolute_url()).content.decode()
    assert f'data-testid="header-assignee">{supervisor.display_name}<' in html
    services.case_assign(case=case, user=supervisor, assignee=None)
    html = teller_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="header-assignee">—<' in html


def test_the_tabs_are_anchors_and_urls_and_the_page_has_no_inline_script(teller_client, teller):
    case = factories.stolen_card_case(teller)
    html = teller_client.get(case.get_absolute_url()).content.decode()
    for pane in ("report", "compensation", "documents", "timeline", "history"):
        assert f'id="tab-{pane}"' in html
    assert f'href="{reverse("incidents:case_compensation", args=[case.pk])}"' in html
    assert f'href="{reverse("incidents:case_history", args=[case.pk])}"' in html
    assert "js/case_tabs.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # the CSP forbids inline script


def test_the_documents_tab_is_loaded_when_opened(teller_client, teller):
    case = factories.stolen_card_case(teller, police="not_yet")
    html = teller_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="deadlines"' not in html and 'data-testid="attachments"' not in html
    url = reverse("incidents:case_documents", args=[case.pk])
    assert f'data-tab-src="{url}?partial=1"' in html and f'href="{url}"' in html
    # Without script: a whole page with the header, the tab marked as the one shown.
    page = teller_client.get(url).content.decode()
    assert 'data-testid="case-header"' in page and 'data-testid="deadlines"' in page
    assert 'data-testid="deadline-police_report"' in page
    assert 'data-testid="attachment-form"' in page
    owed = case.deadlines.filter(state="open").order_by("due_at", "pk").first()
    assert owed is not None and owed.get_kind_display() in page.split('data-testid="owed-next"')[1]
    active = page.split('data-testid="tab-documents"')[0].rsplit("<a", 1)[1]
    assert "active" in active
    # For the script: the tab alone, its forms with their csrf token.
    partial = teller_client.get(url + "?partial=1").content.decode()
    assert "<html" not in partial and 'data-testid="case-header"' not in partial
    assert 'data-testid="attachment-form"' in partial and "csrfmiddlewaretoken" in partial
    assert case.accesses.filter(view="case_documents", user=teller).count() == 2


def test_compensation_the_history_and_the_timeline_are_not_rendered_with_the_page(
    teller_client, teller
):
    case = factories.stolen_card_case(teller)
    html = teller_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="history"' not in html and 'data-testid="timeline"' not in html
    assert 'data-testid="compensation-panel"' not in html
    compensation = teller_client.get(reverse("incidents:case_compensation", args=[case.pk]))
    assert 'data-testid="compensation-panel"' in compensation.content.decode()
    assert 'data-testid="case-header"' in compensation.content.decode()
    partial = teller_client.get(
        reverse("incidents:case_compensation", args=[case.pk]) + "?partial=1"
    ).content.decode()
    assert 'data-testid="compensation-panel"' in partial and "<html" not in partial
    assert case.accesses.filter(view="case_compensation", user=teller).exists()
    history = teller_client.get(reverse("incidents:case_history", args=[case.pk]))
    assert 'data-testid="history"' in history.content.decode()
    assert 'data-testid="case-header"' in history.content.decode()  # a whole page without script
    timeline = teller_client.get(reverse("incidents:case_timeline", args=[case.pk]))
    assert 'data-testid="timeline"' in timeline.content.decode()


def test_the_fragment_for_the_script_is_the_tab_alone_and_the_look_is_logged(teller_client, teller):
    case = factories.stolen_card_case(teller)
    url = reverse("incidents:case_history", args=[case.pk]) + "?partial=1"
    html = teller_client.get(url).content.decode()
    assert 'data-testid="history"' in html
    assert "<html" not in html and 'data-testid="case-header"' not in html
    assert case.accesses.filter(view="case_history", user=teller).exists()


def test_the_history_is_paginated_newest_first(teller_client, teller):
    case = factories.stolen_card_case(teller, withdrawals=[(1000 + n, 0) for n in range(60)])
    url = reverse("incidents:case_history", args=[case.pk])
    first = teller_client.get(url).content.decode()
    assert first.count('data-testid="history-line"') <= 50 * 20
    assert 'data-testid="history-older"' in first
    rows = re.findall(r'<td rowspan="\d+" class="small text-nowrap">([^<]+)</td>', first)
    assert rows == sorted(rows, reverse=True)
    last = teller_client.get(url, {"page": "999"}).content.decode()  # past the end: the last page
    assert 'data-testid="history-older"' not in last
    assert teller_client.get(url, {"page": "x"}).status_code == 200  # nonsense: the first page


def test_another_branch_gets_no_tab(client, teller, other_teller):
    case = factories.stolen_card_case(teller)
    client.force_login(other_teller)
    for name in (
        "incidents:case_compensation",
        "incidents:case_documents",
        "incidents:case_history",
        "incidents:case_timeline",
    ):
        assert client.get(reverse(name, args=[case.pk])).status_code == 404


@pytest.mark.parametrize("role", ["teller", "supervisor"])
def test_the_case_page_needs_the_same_few_queries_with_3_or_60_transactions(
    client, teller, supervisor, role
):
    small = factories.stolen_card_case(teller, withdrawals=[(1000 + n, 0) for n in range(3)])
    large = factories.stolen_card_case(teller, withdrawals=[(1000 + n, 0) for n in range(60)])
    assert large.transactions.count() == 60
    client.force_login(teller if role == "teller" else supervisor)
    # The first look fills the branch's staff list (cached afterwards) for the assignment form.
    client.get(small.get_absolute_url())
    counts = {queries_of(client, case.get_absolute_url()) for case in (small, large)}
    assert len(counts) == 1, counts
    assert counts.pop() <= 12
    # The tabs loaded when opened are constant too.
    # (補償 reads the case with its rows, as the page does, then the policy and the decisions.)
    bounds = {
        "incidents:case_compensation": 10,
        "incidents:case_documents": 11,
        "incidents:case_history": 8,
        "incidents:case_timeline": 8,
    }
    for name, bound in bounds.items():
        counts = {
            queries_of(client, reverse(name, args=[c.pk]) + "?partial=1") for c in (small, large)
        }
        assert len(counts) == 1 and counts.pop() <= bound, name
