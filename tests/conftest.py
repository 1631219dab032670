"""Shared fixtures: personas on two branches, and a real Chromium for browser tests."""

from __future__ import annotations

import os
import shutil

import pytest

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MAMORI_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def bank_language():
    """Every test starts in the bank's language: a request handled in English by an earlier
    test leaves English active in the thread, and no test should depend on the order."""
    from django.utils import translation

    with translation.override("ja"):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser, with no calls out of the machine."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A Japanese-speaking browser in Japan time, A4-ish viewport."""
    return {
        **browser_context_args,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "viewport": {"width": 1280, "height": 1000},
    }


@pytest.fixture
def branch(db):
    return factories.branch("001", "本店営業部")


@pytest.fixture
def other_branch(db):
    return factories.branch("002", "新宿支店")


@pytest.fixture
def teller(branch):
    return factories.staff("teller", "teller", branch)


@pytest.fixture
def other_teller(other_branch):
    return factories.staff("teller_b", "teller", other_branch)


@pytest.fixture
def supervisor(branch):
    return factories.staff("supervisor", "supervisor", branch)


@pytest.fixture
def other_supervisor(branch):
    return factories.staff("supervisor2", "supervisor", branch)


@pytest.fixture
def monitoring_agent(db):
    return factories.staff("monitoring", "monitoring", None)


@pytest.fixture
def compliance_officer(db):
    return factories.staff("compliance", "compliance", None)


@pytest.fixture
def administrator(db):
    return factories.staff("admin", "admin", None)


@pytest.fixture
def teller_client(client, teller):
    client.force_login(teller)
    return client
