"""The interface speaks Japanese unless the member of staff chose English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_english_browser_still_gets_japanese(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja">' in page.content.decode()
    assert page["Content-Language"] == "ja"


def test_a_teller_who_chooses_english_keeps_it_on_another_terminal(client, teller):
    client.force_login(teller)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    teller.refresh_from_db()
    assert teller.language == "en"
    elsewhere = Client()
    elsewhere.force_login(teller)
    assert '<html lang="en">' in elsewhere.get(reverse("incidents:home")).content.decode()


def test_the_next_person_on_a_shared_terminal_gets_their_own_language(client, teller, supervisor):
    client.force_login(teller)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.logout()
    client.force_login(supervisor)  # the language cookie of the teller is still in the browser
    assert '<html lang="ja">' in client.get(reverse("incidents:home")).content.decode()


def test_an_unknown_language_is_ignored(client, teller):
    client.force_login(teller)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    teller.refresh_from_db()
    assert teller.language == "ja"
