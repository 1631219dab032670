"""Idle logout enforced by the server, with the draft on screen kept; the keep-alive and status
endpoints the page's script uses."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from accounts import state
from accounts.models import SignInEvent
from incidents.models import Case, IntakeAutosave
from tests import factories

pytestmark = pytest.mark.django_db

HOME = reverse("incidents:home")


@pytest.fixture
def short_idle(settings):
    settings.MAMORI_IDLE_TIMEOUT = 60
    settings.MAMORI_IDLE_WARNING = 10
    return settings


def go_idle(client, seconds: float) -> None:
    session = client.session
    session[state.LAST_ACTIVITY] = time.time() - seconds
    session.save()


def test_a_session_left_alone_longer_than_the_timeout_is_signed_out_by_the_server(
    teller_client, teller, short_idle
):
    go_idle(teller_client, 61)
    response = teller_client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/login/?timeout=1&next=%2F"
    assert "_auth_user_id" not in teller_client.session
    assert SignInEvent.objects.filter(user=teller, kind="idle_signed_out").exists()
    login = teller_client.get(response["Location"]).content.decode()
    assert "一定時間操作がなかったため、自動的にログアウトしました" in login


def test_using_the_terminal_within_the_timeout_keeps_the_session(teller_client, short_idle):
    go_idle(teller_client, 50)
    assert teller_client.get(HOME).status_code == 200
    assert state.idle_seconds_left_for(teller_client.session) > 55


def test_the_status_poll_does_not_count_as_using_the_terminal(teller_client, short_idle):
    go_idle(teller_client, 40)
    response = teller_client.get(reverse("accounts:session_status"))
    assert response.status_code == 200
    assert 15 <= response.json()["remaining"] <= 20
    go_idle(teller_client, 61)
    expired = teller_client.get(reverse("accounts:session_status"), HTTP_ACCEPT="application/json")
    assert expired.status_code == 401
    assert expired.json()["code"] == "idle_timeout"


def test_continuing_the_session_resets_the_timer(teller_client, short_idle):
    go_idle(teller_client, 55)
    response = teller_client.post(reverse("accounts:keepalive"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json() == {
        "ok": True,
        "remaining": 60,
        "warning": 10,
    }
    assert state.idle_seconds_left_for(teller_client.session) > 59


def test_a_step_posted_after_the_timeout_is_kept_before_the_session_ends(
    client, teller, short_idle
):
    case = factories.draft(teller)
    client.force_login(teller)
    go_idle(client, 61)
    url = reverse("incidents:intake_step", args=[case.pk, "customer"])
    response = client.post(
        url,
        {"customer_name": "遅延 花子", "customer_name_kana": "ちえん", "version": case.version},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?timeout=1")
    kept = IntakeAutosave.objects.get(case=case, step="customer")
    assert kept.data["customer_name"] == ["遅延 花子"]
    assert Case.objects.get(pk=case.pk).customer_name == "山田 太郎"  # nothing half-saved

    client.force_login(teller)
    page = client.get(url).content.decode()
    assert 'value="遅延 花子"' in page and 'value="ちえん"' in page
    assert 'data-testid="autosave-restored"' in page
    assert "フリガナは全角カタカナ" not in page  # restored, not yet judged


def test_a_late_autosave_is_still_kept_and_answered_in_json(client, teller, short_idle):
    case = factories.draft(teller)
    client.force_login(teller)
    go_idle(client, 61)
    response = client.post(
        reverse("incidents:intake_autosave", args=[case.pk, "customer"]),
        json.dumps({"fields": {"customer_phone": ["090-0000-1111"]}}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 401
    assert response.json()["saved"] is True
    assert IntakeAutosave.objects.get(case=case).data == {"customer_phone": ["090-0000-1111"]}


def test_the_pages_carry_the_timer_settings_for_the_script(teller_client, short_idle):
    html = teller_client.get(HOME).content.decode()
    assert 'data-idle-timeout="60"' in html and 'data-idle-warning="10"' in html
    assert "/static/js/idle.js" in html
    assert 'data-testid="idle-continue"' in html and "ログインを継続" in html
