"""The lockout cannot be used to lock others out: it holds one account from one address (a pair),
waits that grow and lift by themselves, and nothing else.

The clock is moved by ageing the pair's stored attempt times, never by waiting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from accounts import lockout
from accounts.choices import SignInEventKind
from accounts.models import SignInEvent
from tests import factories

from .conftest import enrolled, password_step, totp_code

pytestmark = pytest.mark.django_db

HOME = reverse("incidents:home")
BRANCH_NAT = "203.0.113.10"  # every terminal of the branch goes out through this address
ATTACKER = "198.51.100.66"
MONITORING_CENTER = "192.0.2.50"


def sign_in(client, username: str, address: str, password: str = factories.PASSWORD):
    return password_step(client, username, password, REMOTE_ADDR=address)


def fail(client, username: str, address: str, times: int = 1):
    """``times`` wrong passwords for ``username`` from ``address``; the last answer."""
    response = None
    for _ in range(times):
        response = sign_in(client, username, address, "wrong-password")
    return response


def age(username: str, address: str, **delta) -> None:
    """Move the clock on for one pair: its stored failures happened ``delta`` earlier."""
    AccessAttempt.objects.filter(username=username, ip_address=address).update(
        attempt_time=F("attempt_time") - timedelta(**delta)
    )


def failures(username: str, address: str) -> int:
    return sum(
        AccessAttempt.objects.filter(username=username, ip_address=address).values_list(
            "failures_since_start", flat=True
        )
    )


def wait_minutes(response) -> int:
    """The wait the lockout page tells (in minutes)."""
    assert response.status_code == 429
    found = re.search(r'data-minutes="(\d+)"', response.content.decode())
    assert found is not None
    return int(found.group(1))


def test_the_waits_double_from_one_minute_up_to_the_cap(settings):
    assert [lockout.wait_for(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30, 30)
    ]
    settings.MAMORI_LOCKOUT_MINUTES, settings.MAMORI_LOCKOUT_MAX_MINUTES = 3, 10
    assert [lockout.wait_for(n) for n in range(1, 5)] == [
        timedelta(minutes=m) for m in (3, 6, 10, 10)
    ]
    assert lockout.wait_for(10_000) == timedelta(minutes=10)


def test_staff_of_one_branch_behind_one_address_are_not_locked_together(
    client, teller, supervisor, settings
):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    # Typos of everyone at the branch, and names nobody has, from the one address.
    fail(client, "teller", BRANCH_NAT, limit - 1)
    fail(client, "supervisor", BRANCH_NAT, limit - 1)
    for n in range(5):
        fail(client, f"nobody{n}", BRANCH_NAT, limit)
    assert sign_in(client.__class__(), "supervisor", BRANCH_NAT).status_code == 302

    # One member of staff locked at the branch: the others there sign in as usual.
    assert fail(client, "teller", BRANCH_NAT).status_code == 429
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 429
    other = client.__class__()
    assert sign_in(other, "supervisor", BRANCH_NAT).status_code == 302
    assert other.get(HOME).status_code == 200


def test_an_attackers_address_locks_only_itself_for_that_account(
    client, teller, other_teller, settings
):
    response = fail(client, "teller", ATTACKER, 50)
    assert response.status_code == 429
    # Refused while waiting, unread: the 45 after the lock neither count nor lengthen the wait.
    assert failures("teller", ATTACKER) == settings.MAMORI_LOGIN_FAILURE_LIMIT
    assert wait_minutes(response) == 1
    assert sign_in(client, "teller", ATTACKER).status_code == 429  # even the right password

    # The member of staff at the branch, and another account from the attacker's address.
    assert sign_in(client.__class__(), "teller", BRANCH_NAT).status_code == 302
    assert sign_in(client.__class__(), "teller_b", ATTACKER).status_code == 302
    assert set(AccessAttempt.objects.values_list("username", "ip_address")) == {
        ("teller", ATTACKER)
    }


def test_the_monitoring_center_can_always_sign_in(
    client, monitoring_agent, teller, otp_required, settings
):
    device = enrolled(monitoring_agent)
    # Someone elsewhere tries the monitoring center's account fifty times …
    for _ in range(50):
        sign_in(client, "monitoring", ATTACKER, "guess")
    # … and other accounts, known and unknown, fail from the monitoring center's own address.
    for name in ("teller", "supervisor", "admin", "nobody"):
        fail(client, name, MONITORING_CENTER, 2 * settings.MAMORI_LOGIN_FAILURE_LIMIT)
    assert sign_in(client, "teller", MONITORING_CENTER).status_code == 429

    # The monitoring member signs in from their address at once, second factor included.
    desk = client.__class__()
    response = sign_in(desk, "monitoring", MONITORING_CENTER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    done = desk.post(
        response["Location"], {"token": totp_code(device)}, REMOTE_ADDR=MONITORING_CENTER
    )
    assert done.status_code == 302 and done["Location"] == HOME
    desk_page = desk.get(HOME, REMOTE_ADDR=MONITORING_CENTER, follow=True)
    assert desk_page.status_code == 200
    assert desk_page.redirect_chain == [("/monitoring/", 302)]  # the monitoring desk, not login
    # The attacker's pair still waits.
    assert sign_in(client.__class__(), "monitoring", ATTACKER).status_code == 429


def test_the_wait_grows_with_each_further_lockout_and_lifts_by_itself(client, teller, settings):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    statuses = [fail(client, "teller", BRANCH_NAT).status_code for _ in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    first = sign_in(client, "teller", BRANCH_NAT)
    assert wait_minutes(first) == 1
    assert 0 < int(first["Retry-After"]) <= 60

    # Each wait over, one more wrong password: the next wait is twice as long, up to 30 minutes.
    previous = 1
    for expected in (2, 4, 8, 16, 30, 30):
        age("teller", BRANCH_NAT, minutes=previous, seconds=1)
        assert wait_minutes(fail(client, "teller", BRANCH_NAT)) == expected
        previous = expected

    # Half-way through the wait it is still there, and says how long is left.
    age("teller", BRANCH_NAT, minutes=20)
    assert wait_minutes(sign_in(client, "teller", BRANCH_NAT)) == 10
    # Then it lifts by itself: the right password signs in, and the pair starts afresh.
    age("teller", BRANCH_NAT, minutes=10, seconds=1)
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 302
    assert not AccessAttempt.objects.filter(username="teller").exists()
    assert fail(client.__class__(), "teller", BRANCH_NAT).status_code == 200


def test_a_pairs_failures_are_forgotten_after_a_quiet_day(client, teller, settings):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    fail(client, "teller", BRANCH_NAT, limit + 2)  # waits of 1, then 2 minutes
    age("teller", BRANCH_NAT, hours=settings.MAMORI_LOCKOUT_MEMORY_HOURS, seconds=1)
    statuses = [fail(client, "teller", BRANCH_NAT).status_code for _ in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    assert failures("teller", BRANCH_NAT) == limit
    assert wait_minutes(sign_in(client, "teller", BRANCH_NAT)) == 1  # from the first wait again


def test_a_complete_sign_in_clears_only_its_own_pair(client, teller, settings):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    fail(client, "teller", BRANCH_NAT, limit - 1)
    fail(client, "teller", ATTACKER, limit - 1)
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 302
    assert failures("teller", BRANCH_NAT) == 0
    assert failures("teller", ATTACKER) == limit - 1
    assert fail(client.__class__(), "teller", ATTACKER).status_code == 429


def test_wrong_one_time_passwords_count_for_the_pair_only(client, teller, otp_required, settings):
    device = enrolled(teller)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout, not the per-device delay, is under test
    verify = sign_in(client, "teller", BRANCH_NAT)["Location"]
    wrong = f"{(int(totp_code(device)) + 500_000) % 1_000_000:06d}"
    statuses = [
        client.post(verify, {"token": wrong}, REMOTE_ADDR=BRANCH_NAT).status_code
        for _ in range(settings.MAMORI_LOGIN_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    assert failures("teller", BRANCH_NAT) == settings.MAMORI_LOGIN_FAILURE_LIMIT
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 429
    elsewhere = sign_in(client.__class__(), "teller", "198.51.100.7")
    assert elsewhere["Location"].startswith(reverse("accounts:otp_verify"))


def test_the_sign_in_log_records_the_failures_and_the_lockouts(client, teller, settings):
    limit = settings.MAMORI_LOGIN_FAILURE_LIMIT
    fail(client, "teller", ATTACKER, limit)
    sign_in(client, "teller", ATTACKER)  # refused while waiting
    failed = SignInEvent.objects.filter(username="teller", kind=SignInEventKind.PASSWORD_FAILED)
    assert failed.count() == limit + 1
    assert set(failed.values_list("ip_address", "user")) == {(ATTACKER, teller.pk)}
    locked = SignInEvent.objects.filter(username="teller", kind=SignInEventKind.LOCKED_OUT)
    assert locked.count() == 2  # the lock, and the attempt refused during it
    assert set(locked.values_list("ip_address", flat=True)) == {ATTACKER}
    # axes' own failure log keeps the failure that locked the pair.
    assert AccessFailureLog.objects.filter(
        username="teller", ip_address=ATTACKER, locked_out=True
    ).exists()


def test_an_administrator_unlocks_a_pair_in_the_admin(client, teller, administrator, settings):
    fail(client, "teller", BRANCH_NAT, settings.MAMORI_LOGIN_FAILURE_LIMIT)
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 429
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin = client.__class__()
    admin.force_login(administrator)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = admin.get(changelist)
    assert listing.status_code == 200 and BRANCH_NAT in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="teller", ip_address=BRANCH_NAT)
    response = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 302


def test_an_administrator_unlocks_a_pair_from_the_command_line(client, teller, settings):
    fail(client, "teller", BRANCH_NAT, settings.MAMORI_LOGIN_FAILURE_LIMIT)
    fail(client, "teller", ATTACKER, settings.MAMORI_LOGIN_FAILURE_LIMIT)
    call_command("axes_reset_ip_username", BRANCH_NAT, "teller")
    assert sign_in(client, "teller", BRANCH_NAT).status_code == 302
    assert sign_in(client, "teller", ATTACKER).status_code == 429


def test_the_lockout_page_says_how_long_to_wait_in_english_too(client, teller, settings):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = fail(client, "teller", BRANCH_NAT, settings.MAMORI_LOGIN_FAILURE_LIMIT)
    html = response.content.decode()
    assert response.status_code == 429
    assert "Sign-in to this account from this address (IP address) is temporarily" in html
    assert "Try again in about 1 minute." in html
    age("teller", BRANCH_NAT, minutes=1, seconds=1)
    assert "Try again in about 2 minutes." in fail(client, "teller", BRANCH_NAT).content.decode()


def test_a_script_is_told_how_long_to_wait(client, teller, settings):
    fail(client, "teller", BRANCH_NAT, settings.MAMORI_LOGIN_FAILURE_LIMIT)
    answer = client.post(
        "/login/",
        {"username": "teller", "password": factories.PASSWORD},
        REMOTE_ADDR=BRANCH_NAT,
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 429
    body = answer.json()
    assert body["code"] == "locked_out" and 0 < body["retry_after"] <= 60
    assert "1分ほど経ってから" in body["error"]
    assert answer["Retry-After"] == str(body["retry_after"])
