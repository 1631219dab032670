"""Hardening: production settings pass ``check --deploy``; a Content-Security-Policy without
inline script or style; Argon2; oversize and malformed input refused in Japanese (JSON for
scripts); account numbers masked everywhere but the case page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts import errors
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    """The machine's environment as a deployment would have it: the test run's own switches
    (DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, the test settings) are not part of it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.pop("MAMORI_REQUIRE_OTP", None)
    return {**env, **extra}


def test_production_settings_pass_check_deploy_with_no_warning():
    env = production_env(
        **{
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "x9!" + "k3Jq8vLw2Rz5Tb7Nc4Hm6Yp1Df0Gs" * 3,
            "DJANGO_ALLOWED_HOSTS": "mamori.bank.example",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_require_the_second_factor_and_hash_with_argon2():
    code = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.MAMORI_REQUIRE_OTP, settings.PASSWORD_HASHERS[0],"
        " settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.X_FRAME_OPTIONS,"
        " settings.SECURE_HSTS_SECONDS > 0)"
    )
    env = production_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="s" * 60,
        DJANGO_ALLOWED_HOSTS="mamori.bank.example",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == [
        "True",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "True",
        "True",
        "DENY",
        "True",
    ], out.stderr


def test_argon2_hashes_and_checks_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    hashed = make_password("mamori-demo-2026")
    assert identify_hasher(hashed).algorithm == "argon2"
    assert check_password("mamori-demo-2026", hashed)


def test_the_password_validators_ask_for_twelve_characters_and_no_common_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/", "/admin/"])
def test_every_page_carries_a_content_security_policy_without_unsafe_inline(
    client, administrator, path
):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    response = client.get(path, follow=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def template_files() -> list[Path]:
    folders = [ROOT / "templates"]
    for engine in engines.all():
        assert isinstance(engine, DjangoTemplates)
        for loader in engine.engine.template_loaders:
            for folder in getattr(loader, "get_dirs", list)():
                if str(folder).startswith(str(ROOT)) and ".venv" not in str(folder):
                    folders.append(Path(folder))
    return sorted({p for folder in folders for p in folder.rglob("*.html")})


def test_no_template_has_an_inline_script_style_or_event_handler():
    offending = []
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",  # a script without src: inline code
            r"\sstyle\s*=",
            r"<style[\s>]",
            r"\son[a-z]+\s*=",
            r"javascript:",
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                offending.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert len(template_files()) > 40
    assert offending == []


@pytest.mark.django_db
def test_an_oversize_form_is_refused_with_413_in_japanese(teller_client, settings):
    body = "customer_name=" + "あ" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)
    response = teller_client.post(
        reverse("incidents:case_new"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.content.decode()


@pytest.mark.django_db
def test_an_oversize_json_body_is_refused_in_json(teller_client, settings):
    body = json.dumps({"fields": {"a": ["x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)]}})
    response = teller_client.post(
        reverse("incidents:case_new_autosave"), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


@pytest.mark.django_db
def test_too_many_fields_are_refused_with_a_japanese_message(teller_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    body = "&".join(f"f{n}=1" for n in range(60))
    response = teller_client.post(
        reverse("incidents:case_new"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "入力項目が多すぎます" in response.content.decode()


@pytest.mark.django_db
def test_error_pages_are_japanese_and_json_for_scripts(teller_client):
    page = teller_client.get("/no-such-page/")
    assert page.status_code == 404
    assert "ページが見つかりません" in page.content.decode()
    as_json = teller_client.get("/no-such-page/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 404 and as_json.json()["status"] == 404
    denied = teller_client.get(reverse("incidents:access_log"))
    assert denied.status_code == 403 and "権限がありません" in denied.content.decode()
    wrong_method = teller_client.get(reverse("accounts:keepalive"))
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()


def test_the_server_error_page_stands_alone_in_japanese():
    request = RequestFactory().get("/")
    # Whatever language the thread was left in (the last request was someone's English).
    with translation.override("en"):
        response = errors.server_error(request)
    assert response.status_code == 500
    assert '<html lang="ja">' in response.content.decode()
    assert "システムでエラーが発生しました" in response.content.decode()
    scripted = errors.server_error(RequestFactory().get("/", HTTP_ACCEPT="application/json"))
    assert json.loads(scripted.content)["status"] == 500


@pytest.mark.django_db
def test_account_numbers_are_masked_everywhere_but_the_case_page(
    client, teller, supervisor, other_supervisor, monitoring_agent, compliance_officer
):
    """Every list, the receipt and the exports show ``001-****567``; only the case page shows
    the full number."""
    from compensation import services as compensation
    from tests.compensation.support import confirm_suggested_faults, fresh

    case = factories.stolen_card_case(teller, withdrawals=[(80_000, 0)])
    item = case.items.get()
    full = item.account_number
    assert len(full) == 7
    compensation.policy_version_default_ensure()
    confirm_suggested_faults(case, supervisor)
    client.force_login(supervisor)
    findings = client.get(reverse("compensation:findings", args=[case.pk])).content.decode()
    assert item.masked_account in findings and full not in findings
    decision = compensation.decision_submit(case=fresh(case), user=teller, note="")
    decision = compensation.decision_approve(decision=decision, user=other_supervisor)
    pk = case.pk
    pages = {
        teller: [
            reverse("incidents:home"),
            reverse("incidents:case_receipt", args=[pk]),
            reverse("notifications:list"),
            reverse("compensation:letter", args=[pk, decision.pk]),
            reverse("compensation:decision", args=[pk, decision.pk]),
            reverse("compensation:decision_facts", args=[pk, decision.pk]),
        ],
        supervisor: [
            reverse("incidents:queue") + f"?q={full[-3:]}",
        ],
        monitoring_agent: [
            reverse("incidents:monitoring_console") + f"?q={full[-4:]}",
            reverse("incidents:case_stops", args=[pk]),
        ],
        compliance_officer: [reverse("incidents:access_log"), reverse("incidents:queue")],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert full not in response.content.decode(), url
    client.force_login(teller)
    receipt = client.get(reverse("incidents:case_receipt", args=[pk])).content.decode()
    assert item.masked_account in receipt
    case_page = client.get(reverse("incidents:case_detail", args=[pk])).content.decode()
    assert f"{item.account_branch}-{full}" in case_page


def test_the_accounts_app_imports_neither_incidents_nor_compensation():
    offending = [
        f"{path.name}: {line.strip()}"
        for path in (ROOT / "accounts").rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"\s*(from|import)\s+(incidents|compensation)\b", line)
    ]
    assert offending == []


def test_the_server_error_page_speaks_the_language_the_request_was_answered_in():
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"  # set by the language middleware before the view failed
    html = errors.server_error(request).content.decode()
    assert '<html lang="en">' in html and "システム" not in html
    before_sign_in = RequestFactory().get("/")
    before_sign_in.COOKIES["django_language"] = "en"
    assert '<html lang="en">' in errors.server_error(before_sign_in).content.decode()
