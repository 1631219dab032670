"""The counter, faster and safer (issue 13): a changed step warns before the page is left and
comes back as typed when the draft is resumed."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from incidents.models import IntakeAutosave
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, username: str = "teller") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def kept(case, step: str, name: str, value: str, timeout: float = 15.0) -> IntakeAutosave:
    """What is kept of the step once it holds ``value`` for ``name`` (a slow machine may keep an
    earlier pause in typing first)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = IntakeAutosave.objects.filter(case=case, step=step).first()
        if found is not None and found.data.get(name) == [value]:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{step} not kept with {name}={value}")


def test_leaving_a_changed_step_warns_and_what_was_typed_comes_back(
    page: Page, live_server, teller
):
    case = factories.draft(teller)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    phone = page.get_by_label("電話番号")
    phone.click()
    phone.fill("")
    phone.press_sequentially("03-1111-2222")  # typed by hand, not yet saved

    # A pause in typing keeps the step as typed, before anything is saved.
    assert kept(case, "customer", "customer_phone", "03-1111-2222")

    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_role("link", name="届出の対象").click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    page.remove_listener("dialog", answer)

    page.on("dialog", lambda dialog: dialog.accept())  # leave this time
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    expect(page.get_by_test_id("autosave-restored")).to_be_visible()
    expect(page.get_by_label("電話番号")).to_have_value("03-1111-2222")
    case.refresh_from_db()
    assert case.customer_phone == "090-1234-5678"  # kept, not saved


def test_saving_a_step_asks_nothing_and_keeps_nothing(page: Page, live_server, teller):
    case = factories.draft(teller)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    name = page.get_by_label("氏名（漢字）")
    name.click()
    name.fill("山田 花子")
    page.get_by_label("氏名（漢字）").press("Enter")  # Enter saves the step
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/intake/items/")
    assert asked == []
    case.refresh_from_db()
    assert case.customer_name == "山田 花子"
    page.wait_for_timeout(2_500)  # past the typing pause: nothing late is kept
    assert not IntakeAutosave.objects.filter(case=case, step="customer").exists()
