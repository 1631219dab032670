"""Signing in: the password, then the one-time password (enrolled with a QR code or the key),
recovery codes, the lockout, the sign-in log and the previous sign-in shown afterwards."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import SignInEventKind
from accounts.models import SignInEvent
from tests import factories

from .conftest import enrolled, password_step, totp_code

pytestmark = pytest.mark.django_db

HOME = reverse("incidents:home")


def test_with_the_second_factor_required_a_member_of_staff_enrols_before_anything_else(
    client, teller, otp_required
):
    response = password_step(client, "teller")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_setup"))
    # Nothing else answers until the second factor is given.
    assert client.get(HOME)["Location"].startswith(reverse("accounts:otp_verify"))

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<svg width="' in html and 'class="otp-qr"' in html  # drawn here, no image service
    device = TOTPDevice.objects.get(user=teller, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "")) == device.bin_key

    done = client.post(response["Location"], {"token": totp_code(device)})
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("accounts:recovery_codes"))
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes_page)
    assert len(codes) == 10
    assert sorted(codes) == sorted(
        StaticToken.objects.filter(device__user=teller).values_list("token", flat=True)
    )
    # Shown once only.
    assert client.get(done["Location"]).status_code == 302
    assert client.get(HOME).status_code == 200
    assert TOTPDevice.objects.get(user=teller).confirmed
    signed_in = SignInEvent.objects.get(user=teller, kind=SignInEventKind.SIGNED_IN)
    assert signed_in.second_factor == "totp"
    assert SignInEvent.objects.filter(user=teller, kind=SignInEventKind.OTP_ENROLLED).exists()


def test_enrolment_refuses_a_wrong_first_code_and_keeps_the_device_unconfirmed(
    client, teller, otp_required
):
    setup = password_step(client, "teller")["Location"]
    client.get(setup)
    device = TOTPDevice.objects.get(user=teller)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(setup, {"token": wrong})
    assert response.status_code == 200
    assert "確認コードが正しくありません" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME).status_code == 302


def test_an_enrolled_member_of_staff_signs_in_with_the_code_of_the_app(
    client, teller, otp_required
):
    device = enrolled(teller)
    response = password_step(client, "teller")
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    # Full-width digits, as a Japanese input method may type them, are accepted.
    code = totp_code(device).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = client.post(response["Location"], {"token": code})
    assert done.status_code == 302 and done["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_logged_and_leaves_the_desk_closed(client, teller, otp_required):
    device = enrolled(teller)
    verify = password_step(client, "teller")["Location"]
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(verify, {"token": wrong})
    assert response.status_code == 200
    assert "確認コードが正しくありません" in response.content.decode()
    assert SignInEvent.objects.filter(user=teller, kind=SignInEventKind.OTP_FAILED).count() == 1
    assert AccessAttempt.objects.get(username="teller").failures_since_start == 1
    assert client.get(HOME).status_code == 302
    assert not SignInEvent.objects.filter(user=teller, kind=SignInEventKind.SIGNED_IN).exists()


def test_a_recovery_code_signs_in_once_and_is_then_spent(client, teller, otp_required):
    enrolled(teller)
    recovery = StaticDevice.objects.create(user=teller, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd2345")
    verify = password_step(client, "teller")["Location"]
    response = client.post(verify, {"token": "ABCD 2345"}, follow=True)
    assert response.status_code == 200
    assert "リカバリーコードでログインしました（残り0個）" in response.content.decode()
    assert SignInEvent.objects.filter(kind=SignInEventKind.RECOVERY_CODE_USED).count() == 1
    client.post(reverse("logout"))
    verify = password_step(client, "teller")["Location"]
    again = client.post(verify, {"token": "abcd2345"})
    assert again.status_code == 200
    assert "確認コードが正しくありません" in again.content.decode()


def test_repeated_wrong_passwords_lock_the_account_from_that_address_even_for_the_right_password(
    client, teller, settings
):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    for attempt in range(limit):
        response = password_step(client, "teller", "wrong-password")
        assert response.status_code == (429 if attempt == limit - 1 else 200)
    locked = password_step(client, "teller")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "ログインを一時的に停止しています" in html
    assert "システム管理者に連絡してロックの解除を依頼してください" in html
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(username="teller", kind="password_failed").count() >= limit
    assert SignInEvent.objects.filter(username="teller", kind="locked_out").exists()

    # The administrator unlocks the account (axes' command; the same as the admin's アクセス試行).
    call_command("axes_reset_username", "teller")
    assert password_step(client, "teller").status_code == 302


def test_failures_for_other_accounts_from_one_address_lock_no_account_there(
    client, teller, other_teller, settings
):
    for n in range(settings.MAMORI_LOGIN_FAILURE_LIMIT):
        password_step(client, f"nobody{n}", "guess", REMOTE_ADDR="192.0.2.9")
    assert password_step(client, "teller_b", REMOTE_ADDR="192.0.2.9").status_code == 302


def test_wrong_one_time_passwords_count_towards_the_lockout_and_end_the_session(
    client, teller, otp_required, settings
):
    device = enrolled(teller)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout, not the per-device delay, is under test
    verify = password_step(client, "teller")["Location"]
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    statuses = [client.post(verify, {"token": wrong}).status_code for _ in range(5)]
    assert statuses[:-1] == [200] * 4 and statuses[-1] == 429
    assert "_auth_user_id" not in client.session
    assert password_step(client, "teller").status_code == 429


def test_a_successful_sign_in_clears_the_failed_attempts(client, teller):
    password_step(client, "teller", "wrong-password")
    assert AccessAttempt.objects.filter(username="teller").exists()
    assert password_step(client, "teller").status_code == 302
    assert not AccessAttempt.objects.filter(username="teller").exists()


def test_the_previous_sign_in_is_shown_with_its_place_and_the_failures_since(client, teller):
    SignInEvent.objects.create(
        user=teller,
        username="teller",
        kind=SignInEventKind.SIGNED_IN,
        ip_address="198.51.100.7",
        user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0",
    )
    SignInEvent.objects.create(user=teller, username="teller", kind="password_failed")
    response = password_step(client, "teller")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "前回ご利用日時" in html
    assert "198.51.100.7" in html and "Chrome / Windows" in html
    assert "1回ログインに失敗しています" in html
    header = re.search(r'data-testid="previous-signin"[^>]*>([^<]+)<', html).group(1)
    assert "198.51.100.7" in header
    # The next page keeps the header, not the message; the current sign-in is not "previous".
    again = client.get(HOME).content.decode()
    assert "前回ご利用日時" not in again
    assert "198.51.100.7" in again


def test_the_previous_sign_in_is_told_in_english_to_who_reads_english(client, teller):
    teller.language = "en"
    teller.save(update_fields=["language"])
    SignInEvent.objects.create(
        user=teller, username="teller", kind=SignInEventKind.SIGNED_IN, ip_address="198.51.100.7"
    )
    html = client.get(password_step(client, "teller")["Location"]).content.decode()
    message = re.search(r"Previous sign-in: [^<]*", html)  # the message, not the header
    assert message is not None and "198.51.100.7" in message.group(0)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", message.group(0)) is None  # date too


def test_a_first_sign_in_says_so(client, teller):
    page = client.get(password_step(client, "teller")["Location"]).content.decode()
    assert "初めてのログインです" in page


def test_the_login_page_says_when_the_second_factor_is_relaxed(client, settings):
    settings.MAMORI_REQUIRE_OTP = False
    assert 'data-testid="otp-relaxed"' in client.get("/login/").content.decode()
    settings.MAMORI_REQUIRE_OTP = True
    html = client.get("/login/").content.decode()
    assert 'data-testid="otp-required"' in html and "otp-relaxed" not in html


def test_with_the_second_factor_relaxed_an_enrolled_member_still_gives_the_code(client, teller):
    enrolled(teller)
    response = password_step(client, "teller")
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(HOME).status_code == 302


def test_the_admin_site_has_no_login_form_of_its_own(client, administrator, otp_required):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/admin/")
    # A session opened without the second factor does not reach the admin either.
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp_verify"))


def test_an_administrator_resets_a_member_of_staffs_authenticator(
    client, teller, administrator, otp_required
):
    enrolled(teller)
    StaticDevice.objects.create(user=teller, name="recovery", confirmed=True)
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin_device = enrolled(administrator)
    verify = password_step(client, "admin")["Location"]
    client.post(verify, {"token": totp_code(admin_device)})
    changelist = reverse("admin:incidents_user_changelist")
    listing = client.get(changelist)
    assert listing.status_code == 200
    response = client.post(
        changelist,
        {"action": "reset_one_time_password", "_selected_action": [teller.pk]},
        follow=True,
    )
    assert "1人のワンタイムパスワードを再設定しました" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=teller).exists()
    assert not StaticDevice.objects.filter(user=teller).exists()
    event = SignInEvent.objects.get(kind=SignInEventKind.OTP_RESET)
    assert event.user == teller and event.actor == administrator
    # The next sign-in enrols again.
    other = client.__class__()
    assert password_step(other, "teller")["Location"].startswith(reverse("accounts:otp_setup"))


def test_the_sign_in_log_is_append_only_in_the_database(teller):
    event = SignInEvent.objects.create(user=teller, username="teller", kind="signed_in")
    with pytest.raises(DatabaseError), transaction.atomic():
        SignInEvent.objects.filter(pk=event.pk).update(username="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        SignInEvent.objects.filter(pk=event.pk).delete()


def test_signing_out_is_logged(client, teller):
    password_step(client, "teller")
    client.post(reverse("logout"))
    assert SignInEvent.objects.filter(user=teller, kind=SignInEventKind.SIGNED_OUT).exists()


def test_the_demo_staff_sign_in_with_the_password_alone_when_relaxed(client, db):
    from incidents.devdata.demo import DEMO_PASSWORD, seed_demo

    seed_demo()
    response = client.post("/login/", {"username": "teller", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    assert factories.PASSWORD != DEMO_PASSWORD
