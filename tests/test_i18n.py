"""The English catalogue: complete, in step with the code and with its compiled .mo, and served.

The interface's source strings are Japanese; `locale/en/LC_MESSAGES/django.po` is the English UI.
These tests shell out to GNU gettext (msgfmt, msgcmp), as `makemessages`/`compilemessages` do.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# What the catalogue is extracted from, and exactly how (the command of the project's docs).
SOURCES = (
    "accounts",
    "api",
    "config",
    "incidents",
    "compensation",
    "notifications",
    "webhooks",
    "templates",
    "locale",
    "manage.py",
)
MAKEMESSAGES = [
    "makemessages",
    "-l",
    "en",
    "--no-obsolete",
    "--no-location",
    *("-i", ".venv/*", "-i", "var/*", "-i", "tests/*", "-i", "bench/*", "-i", "scripts/*"),
]


def gettext_tool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a gettext program with untranslated (C locale) diagnostics."""
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
        timeout=120,
    )


def load_mo(path: Path) -> dict:
    with path.open("rb") as fp:
        # typeshed leaves out the catalog GNUTranslations parses the file into.
        return dict(gettext.GNUTranslations(fp)._catalog)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory) -> Path:
    """The catalogue makemessages produces from a copy of today's source folders."""
    copy = tmp_path_factory.mktemp("mamori-src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        elif source.is_file():
            shutil.copy2(source, copy / name)
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=copy,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    extracted = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert extracted.is_file()
    return extracted


def test_english_catalogue_has_no_untranslated_or_fuzzy_messages():
    result = gettext_tool("msgfmt", "--check", "--statistics", "-o", os.devnull, CATALOGUE)
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics
    assert "untranslated" not in statistics
    assert "fuzzy" not in statistics


def test_english_catalogue_header_declares_english_utf8_and_two_plural_forms():
    header = load_mo(COMPILED)[""]
    assert "Language: en\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header


def test_every_message_extracted_from_the_code_is_translated_in_the_english_catalogue(
    fresh_extraction,
):
    # msgcmp DEF REF: each msgid of REF must have a (non-fuzzy, translated) entry in DEF.
    result = gettext_tool("msgcmp", CATALOGUE, fresh_extraction)
    assert result.returncode == 0, (
        "locale/en/LC_MESSAGES/django.po is behind the code; run makemessages and translate:\n"
        + result.stderr
    )


def test_english_catalogue_holds_no_messages_the_code_no_longer_uses(fresh_extraction):
    result = gettext_tool(
        "msgcmp", "--use-untranslated", "--use-fuzzy", fresh_extraction, CATALOGUE
    )
    assert result.returncode == 0, (
        "locale/en/LC_MESSAGES/django.po has entries no longer in the code; "
        "run makemessages with --no-obsolete:\n" + result.stderr
    )


def test_committed_mo_holds_exactly_the_messages_of_the_po(tmp_path):
    recompiled = tmp_path / "django.mo"
    result = gettext_tool("msgfmt", "--check-format", "-o", recompiled, CATALOGUE)
    assert result.returncode == 0, result.stderr
    assert COMPILED.is_file(), "locale/en/LC_MESSAGES/django.mo is missing; run compilemessages"
    committed, expected = load_mo(COMPILED), load_mo(recompiled)
    assert committed.keys() == expected.keys(), "django.mo is stale; run compilemessages"
    assert committed == expected, "django.mo is stale; run compilemessages"


def switch_language(client, language: str, next_url: str = "/login/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    return response


@pytest.mark.django_db
def test_login_page_is_japanese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "ログイン" in html
    assert "職員ログイン" in html
    assert "Staff sign-in" not in html


@pytest.mark.django_db
def test_choosing_english_shows_the_login_page_in_english(client):
    switch_language(client, "en")
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Staff sign-in" in html
    assert "Sign in" in html
    assert "Mamori Case Desk" in html
    assert "職員ログイン" not in html
    assert "ログイン" not in html


@pytest.mark.django_db
def test_choosing_english_shows_a_signed_in_tellers_home_page_in_english(teller_client):
    switch_language(teller_client, "en", next_url="/")
    response = teller_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for english in ("Home", "Sign out", "Take a new report", "Reports in progress", "Open cases"):
        assert english in html, english
    assert "Teller" in html  # the role, from a translated choice label
    for japanese in ("ホーム", "ログアウト", "新しい届出を受け付ける", "対応中の事故", "窓口担当"):
        assert japanese not in html, japanese


@pytest.mark.django_db
def test_choosing_japanese_again_brings_the_japanese_interface_back(teller_client):
    switch_language(teller_client, "en", next_url="/")
    switch_language(teller_client, "ja", next_url="/")
    html = teller_client.get("/").content.decode()
    assert '<html lang="ja">' in html
    assert "新しい届出を受け付ける" in html
    assert "Take a new report" not in html


def current_user_label(html: str) -> str:
    import re

    found = re.search(r'data-testid="current-user">([^<]*)<', html)
    assert found is not None, html
    return found.group(1)


@pytest.mark.django_db
def test_punctuation_around_values_follows_the_language(teller_client, teller):
    branch = teller.branch.name
    japanese = current_user_label(teller_client.get("/").content.decode())
    assert japanese.endswith(f"（窓口担当・{branch}）")
    switch_language(teller_client, "en", next_url="/")
    english = current_user_label(teller_client.get("/").content.decode())
    assert english.endswith(f" (Teller, {branch})")
    assert "（" not in english and "・" not in english


def test_the_marks_around_values_are_translated_like_words():
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load desk %}A{{ kana|parens }}{% sep %}B{% colon %}C{{ empty|parens }}")
    context = {"kana": "ヤマダ <b>", "empty": ""}
    with translation.override("ja"):
        assert template.render(Context(context)) == "A（ヤマダ &lt;b&gt;）・B：C"
    with translation.override("en"):
        assert template.render(Context(context)) == "A (ヤマダ &lt;b&gt;) · B: C"


def test_the_timeline_says_what_happened_where_the_button_says_what_to_do():
    from django.utils import translation
    from django.utils.translation import gettext

    from incidents.models.choices import EventKind

    with translation.override("en"):
        assert str(EventKind.ASSIGNED.label) == "Assignee changed"
        assert gettext("担当者を変更") == "Change assignee"
    with translation.override("ja"):
        assert str(EventKind.ASSIGNED.label) == "担当者を変更"


FULL_WIDTH_MARKS = "（）：・、「」〜％"


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.django_db
def test_english_screens_use_english_punctuation_around_values(client):
    from incidents.devdata.demo import seed_demo
    from incidents.models import Case, User

    seed_demo(password="demo-password-for-tests")
    compliance = User.objects.get(username="compliance")
    compliance.language = "en"
    compliance.save(update_fields=["language"])
    client.force_login(compliance)
    case = Case.objects.get(customer_number="100234")
    from django.urls import reverse

    pages = [
        "/reports/statistics/?first=2025Q1&last=2026Q4&unit=man",
        "/links/accounts/",
        "/links/atms/",
        "/queue/",
        reverse("incidents:case_detail", args=[case.pk]),
        reverse("incidents:case_history", args=[case.pk]),
        # Not the receipt: what the customer receives stays Japanese
        # (tests/compensation/test_english_screens.py).
        "/no-such-page/",
    ]
    for url in pages:
        text = visible_text(client.get(url).content.decode())
        marks = sorted({mark for mark in text if mark in FULL_WIDTH_MARKS})
        assert not marks, (url, marks)
    # A supervisor opening a freeze case from an account the demo's frauds paid into.
    supervisor = User.objects.get(username="supervisor")
    User.objects.filter(pk=supervisor.pk).update(language="en")
    client.force_login(supervisor)
    links = client.get("/links/accounts/").content.decode()
    opening = re.findall(r'href="(/freezes/open/[^"]+)"', links)
    assert opening
    text = visible_text(client.get(opening[0]).content.decode())
    assert "Amount transferred" in text
    assert not sorted({mark for mark in text if mark in FULL_WIDTH_MARKS})


@pytest.mark.django_db
def test_the_admin_s_permission_pickers_name_every_permission_in_the_reader_s_language(
    client, administrator
):
    administrator.is_staff = administrator.is_superuser = True
    administrator.language = "en"
    administrator.save()
    client.force_login(administrator)
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for url in ("/admin/auth/group/add/", f"/admin/incidents/user/{administrator.pk}/change/"):
        page = client.get(url).content.decode()
        options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', page)
        labels = [option for option in options if " | " in option]
        assert len(labels) > 100, url  # every permission of every model is offered
        assert [label for label in labels if japanese.search(label)] == [], url
        assert any(label.endswith("| Can add Branch") for label in labels), url
        assert any(label.endswith("| Take reports") for label in labels), url
