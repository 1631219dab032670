"""A supervisor takes a document attached by mistake off the case, giving the reason."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Page, expect

from incidents.attachments import services as documents
from tests import factories
from tests.browser.signing import sign_in
from tests.browser.test_deadline_follow_up import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_supervisor_withdraws_a_wrong_document_and_the_reason_is_kept(
    page: Page, live_server, teller, supervisor, settings, tmp_path
):
    settings.MAMORI_ATTACHMENT_ROOT = str(tmp_path / "attachments")
    case = factories.stolen_card_case(teller)
    documents.attachment_add(
        case=case,
        user=teller,
        kind="identity_document",
        upload=SimpleUploadedFile("他のお客さまの免許証.png", PNG),
    )
    attachment = case.attachments.get()
    withdraw_url = reverse("incidents:attachment_withdraw", args=[case.pk, attachment.pk])
    documents_url = reverse("incidents:case_documents", args=[case.pk])
    sign_in(page, live_server, "supervisor", "役席")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.locator(".case-tabs [data-tab=documents]").click()  # the 期限・書類 tab, fetched

    row = page.get_by_test_id("attachment-row")
    expect(row).to_contain_text("他のお客さまの免許証.png")
    form = page.get_by_test_id("attachment-withdraw-form")
    expect(form).to_be_hidden()
    row.get_by_test_id("attachment-withdraw-open").click()
    expect(form).to_be_visible()
    # Submitted without a reason: told why on the tab's own page, and nothing is withdrawn.
    form.get_by_test_id("attachment-withdraw-submit").click()
    expect(page).to_have_url(f"{live_server.url}{withdraw_url}")
    expect(page.get_by_test_id("withdraw-error")).to_have_text("取り下げの理由を入力してください。")
    page.get_by_label("取り下げの理由").fill("別のお客さまの本人確認書類を誤って添付したため")
    page.get_by_test_id("attachment-withdraw-submit").click()

    expect(page.get_by_text("「他のお客さまの免許証.png」を取り下げました。")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{documents_url}#attachments")
    expect(page.get_by_test_id("attachment-withdrawn")).to_have_text("取り下げ済み")
    expect(row).to_contain_text("別のお客さまの本人確認書類を誤って添付したため")
    expect(row.get_by_test_id("attachment-download")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_test_id("attachments").screenshot(path=str(ARTIFACTS / "attachment-withdrawn.png"))
    page.get_by_test_id("tab-timeline").click()  # the timeline's own page (this one has no script)
    expect(page.get_by_test_id("timeline")).to_contain_text("添付書類を取り下げ")
