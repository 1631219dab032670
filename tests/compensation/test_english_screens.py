"""Staff screens follow the reader's language: an English-speaking member of staff sees no
Japanese on the compensation panel, the review page's figures or the queue's badges; what the
customer receives (receipt, letter) stays Japanese."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from compensation import services
from incidents.models import User
from tests import factories
from tests.compensation.support import compensation_tab
from tests.desk.conftest import deadline

from .support import confirm_suggested_faults, fresh, set_checklist, submit_and_approve

pytestmark = pytest.mark.django_db

# Hiragana, katakana (full and half width), kanji, and the Japanese punctuation and brackets.
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff61-\uff9f\uff08\uff09\uff1a]+")


def in_english(user: User) -> User:
    User.objects.filter(pk=user.pk).update(language="en")
    user.refresh_from_db()
    return user


def japanese_in(html: str, *data: str) -> list[str]:
    """Japanese words of the screen, leaving out data (names of staff and customers)."""
    text = re.sub(r"<[^>]+>", " ", html)
    for value in data:
        text = text.replace(value, " ")
    return JAPANESE.findall(text)


def section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("</section>", 1)[0]


def test_the_compensation_panel_in_english_has_no_japanese(client, teller, supervisor):
    case = factories.stolen_card_case(teller, police="not_yet")
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    client.force_login(in_english(supervisor))
    html = client.get(compensation_tab(case)).content.decode()
    panel = section(html, "compensation-panel")
    assert "assessment-line" in panel
    assert "On hold: no police report has been filed yet." in panel
    assert "Stolen cash card" in panel and "day of the theft" in panel
    assert "Effective from" in panel  # the policy version's name
    assert japanese_in(panel, supervisor.display_name) == []


def test_the_review_page_in_english_has_no_japanese_in_what_is_approved(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    services.decision_submit(case=fresh(case), user=teller, note="")
    client.force_login(in_english(other_supervisor))
    html = client.get(reverse("compensation:review", args=[case.pk])).content.decode()
    figures = html.split('data-testid="review-circumstances"', 1)[1].split("</form>", 1)[0]
    assert "%" in figures and "Because" in figures
    assert japanese_in(figures, supervisor.display_name, teller.display_name) == []


def test_the_queue_badges_in_english(client, teller, supervisor):
    soon = factories.stolen_card_case(teller)
    overdue = factories.stolen_card_case(teller)
    deadline(soon, hours=5)
    deadline(overdue, hours=-1)
    client.force_login(in_english(supervisor))
    html = client.get(reverse("incidents:queue")).content.decode()
    assert "Due soon" in html and "Overdue" in html and "期限間近" not in html


def test_the_letter_stays_japanese_for_an_english_reader(
    client, teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller)
    set_checklist(case, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(case, teller, other_supervisor)
    client.force_login(in_english(supervisor))
    html = client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).content.decode()
    reasons = html.split('data-testid="letter-reasons"', 1)[1]
    assert "補償します。" in reasons and "compensated" not in reasons
