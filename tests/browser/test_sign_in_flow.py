"""Signing in as a person does: enrolling the authenticator from the QR code's key, signing in
with a code (a wrong one refused), the lockout, and the idle logout with its warning, the
「ログインを継続」 button and the draft kept."""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from incidents.models import IntakeAutosave
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key typed in from the enrolment page."""
    totp = TOTP(b32decode(secret.replace(" ", "")), 30, 0, 6, 0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def password_step(page: Page, live_server, username: str, password: str = factories.PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def test_a_teller_enrols_the_authenticator_then_signs_in_with_its_code(
    page: Page, live_server, teller, settings
):
    settings.MAMORI_REQUIRE_OTP = True
    password_step(page, live_server, "teller")
    expect(page.get_by_role("heading", name="ワンタイムパスワードの登録")).to_be_visible()
    expect(page.locator("svg.otp-qr")).to_be_visible()
    secret = page.get_by_test_id("otp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret)
    page.get_by_label("確認コード").fill(code_for(secret))
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_test_id("recovery-codes-done").click()
    expect(page.get_by_test_id("current-user")).to_contain_text("窓口担当")
    expect(page.get_by_test_id("previous-signin")).to_contain_text("初回ログイン")

    page.get_by_role("button", name="ログアウト").click()
    password_step(page, live_server, "teller")
    expect(page.get_by_role("heading", name="ワンタイムパスワードの入力")).to_be_visible()
    wrong = f"{(int(code_for(secret, 1)) + 500_000) % 1_000_000:06d}"
    page.get_by_label("確認コード").fill(wrong)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_text("確認コードが正しくありません")).to_be_visible()
    page.goto(f"{live_server.url}/")  # nothing else opens before the code
    expect(page.get_by_role("heading", name="ワンタイムパスワードの入力")).to_be_visible()
    # django-otp doubles its delay with each failure it counts; wait out a few, not just one.
    page.wait_for_timeout(4500)
    page.get_by_label("確認コード").fill(code_for(secret, 1))
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_test_id("current-user")).to_contain_text("窓口担当")
    expect(page.get_by_text("前回ご利用日時")).to_be_visible()
    expect(page.get_by_text("1回ログインに失敗しています")).to_be_visible()
    expect(page.get_by_test_id("previous-signin")).to_contain_text("前回ご利用")


def test_repeated_wrong_passwords_lock_the_sign_in(page: Page, live_server, teller, settings):
    for _ in range(settings.MAMORI_LOGIN_FAILURE_LIMIT):
        password_step(page, live_server, "teller", "not-the-password")
    expect(page.get_by_test_id("locked-out")).to_contain_text("ログインを一時的に停止しています")
    expect(page.get_by_test_id("locked-out-wait")).to_have_text(
        "1分ほど経ってから、もう一度お試しください。"
    )
    password_step(page, live_server, "teller")
    expect(page.get_by_test_id("locked-out")).to_be_visible()


def test_an_idle_terminal_warns_saves_the_draft_and_signs_out(
    page: Page, live_server, teller, settings
):
    settings.MAMORI_IDLE_TIMEOUT = 8
    settings.MAMORI_IDLE_WARNING = 5
    case = factories.draft(teller)
    password_step(page, live_server, "teller")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    page.goto(f"{live_server.url}/cases/{case.pk}/intake/customer/")
    page.get_by_label("氏名（漢字）").fill("入力中 花子")
    # Not valid yet (not kana): kept all the same.
    page.get_by_label("氏名（カナ）").fill("nyuuryoku")

    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_visible(timeout=15_000)
    expect(warning).to_contain_text("まもなく自動的にログアウトします")
    expect(page.get_by_test_id("idle-logged-out")).to_be_visible(timeout=20_000)
    kept = IntakeAutosave.objects.get(case=case, step="customer")
    assert kept.data["customer_name"] == ["入力中 花子"]

    page.get_by_label("ユーザー名").fill("teller")
    page.get_by_label("パスワード").fill(factories.PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_test_id("autosave-restored")).to_be_visible()
    expect(page.get_by_label("氏名（漢字）")).to_have_value("入力中 花子")
    expect(page.get_by_label("氏名（カナ）")).to_have_value("nyuuryoku")


def test_staying_signed_in_from_the_warning_keeps_the_session(
    page: Page, live_server, teller, settings
):
    settings.MAMORI_IDLE_TIMEOUT = 6
    settings.MAMORI_IDLE_WARNING = 4
    password_step(page, live_server, "teller")
    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_visible(timeout=10_000)
    page.get_by_test_id("idle-continue").click()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(3_000)  # past the first deadline
    page.reload()
    expect(page.get_by_test_id("current-user")).to_contain_text("窓口担当")
