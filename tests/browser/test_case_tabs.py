"""The case page's tabs switch without a reload; the change history is fetched when opened and
paged in place; 期限・書類 is fetched when opened and its forms work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tabs_switch_in_place_and_the_history_is_loaded_and_paged_when_opened(
    page: Page, live_server, teller
):
    case = factories.stolen_card_case(teller, withdrawals=[(1000 + n, 0) for n in range(60)])
    sign_in(page, live_server, "teller", "窓口担当")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    expect(page.get_by_test_id("transactions")).to_be_visible()  # the first tab
    expect(page.get_by_test_id("compensation-panel")).to_be_hidden()
    page.locator(".case-tabs [data-tab=compensation]").click()
    expect(page.get_by_test_id("compensation-panel")).to_be_visible()
    expect(page.get_by_test_id("transactions")).to_be_hidden()
    assert case.number
    expect(page.get_by_test_id("case-header")).to_contain_text(case.number)  # it stays

    expect(page.get_by_test_id("history")).to_have_count(0)  # not rendered with the page
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("history")).to_be_visible()
    first = page.get_by_test_id("history-line").first.inner_text()
    page.get_by_test_id("history-older").click()
    expect(page.get_by_test_id("history-older")).to_have_count(0)  # the last page
    assert page.get_by_test_id("history-line").first.inner_text() != first
    assert page.evaluate("window.__sameDocument === true")
    assert page.url.endswith("#tab-history")


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_the_documents_tab_is_fetched_when_opened_and_a_document_is_attached_from_it(
    page: Page, live_server, teller, settings, tmp_path
):
    settings.MAMORI_ATTACHMENT_ROOT = str(tmp_path / "attachments")
    case = factories.stolen_card_case(teller, police="not_yet")
    sign_in(page, live_server, "teller", "窓口担当")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    expect(page.get_by_test_id("attachments")).to_have_count(0)  # not rendered with the page
    page.get_by_test_id("tab-documents").click()
    expect(page.get_by_test_id("deadline-police_report")).to_be_visible()
    expect(page.get_by_test_id("transactions")).to_be_hidden()
    assert page.evaluate("window.__sameDocument === true")
    assert page.url.endswith("#tab-documents")

    # The form came with the fragment (its csrf token too): the upload is accepted.
    form = page.get_by_test_id("attachment-form")
    form.get_by_label("書類の種類").select_option("police_report")
    form.get_by_label("ファイル（PDF・JPEG・PNG）").set_input_files(
        {"name": "被害届.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    form.get_by_test_id("attachment-submit").click()
    expect(page.get_by_text("「被害届.pdf」を添付しました。")).to_be_visible()
    expect(page).to_have_url(
        f"{live_server.url}{reverse('incidents:case_documents', args=[case.pk])}#attachments"
    )
    expect(page.get_by_test_id("attachment-row")).to_contain_text("被害届.pdf")
    assert case.attachments.get().original_name == "被害届.pdf"


def test_an_address_naming_a_part_of_the_documents_tab_opens_it(page: Page, live_server, teller):
    case = factories.stolen_card_case(teller)
    sign_in(page, live_server, "teller", "窓口担当")
    page.goto(f"{live_server.url}{case.get_absolute_url()}#attachments")
    expect(page.get_by_test_id("attachments")).to_be_visible()
    expect(page.get_by_test_id("transactions")).to_be_hidden()
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}{case.get_absolute_url()}#tab-documents")
    expect(page.get_by_test_id("attachment-form")).to_be_visible()
    expect(page.locator(".case-tabs [data-tab=documents]")).to_have_class(re.compile("active"))
