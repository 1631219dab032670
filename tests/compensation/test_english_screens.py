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

from .support import (
    approved_pin_memo_case,
    confirm_suggested_faults,
    fresh,
    set_checklist,
)

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


def article(html: str, testid: str) -> str:
    """The visible text of the document printed for the customer."""
    return re.sub(
        r"<[^>]+>", " ", html.split(f'data-testid="{testid}"', 1)[1].split("</article>")[0]
    )


ENGLISH_WORDS = re.compile(r"\b(?:the|yen|compensat\w*|Total|Receipt|Phone|December)\b", re.I)


def test_the_letter_stays_japanese_for_an_english_reader(
    client, teller, supervisor, other_supervisor
):
    case, decision = approved_pin_memo_case(teller, supervisor, other_supervisor)
    client.force_login(in_english(supervisor))
    html = client.get(reverse("compensation:letter", args=[case.pk, decision.pk])).content.decode()
    letter = article(html, "letter")
    assert 'lang="ja"' in html.split('data-testid="letter"', 1)[0].rsplit("<article", 1)[1]
    assert "補償に関するご連絡" in letter and "年" in letter and "円" in letter
    assert "補償します。" in letter and "引出し" in letter  # the reasons and the transaction type
    assert ENGLISH_WORDS.findall(letter) == []
    # The screen around it is the reader's.
    assert "Print" in html.split('data-testid="letter"', 1)[0]


def test_the_receipt_stays_japanese_for_an_english_reader(client, teller):
    case = factories.stolen_card_case(teller)
    client.force_login(in_english(teller))
    html = client.get(reverse("incidents:case_receipt", args=[case.pk])).content.decode()
    receipt = article(html, "receipt")
    assert "受付票" in receipt and "様" in receipt and "年" in receipt and "実施した措置" in receipt
    assert ENGLISH_WORDS.findall(receipt) == []
    assert "Back to home" in html.split('data-testid="receipt"', 1)[0]


def test_the_approved_decision_is_read_in_english_where_the_rules_make_the_same_sentence(
    client, teller, supervisor, other_supervisor
):
    case, decision = approved_pin_memo_case(teller, supervisor, other_supervisor)
    assert "補償します。" in " ".join(decision.result["reasons"])  # the record is Japanese
    client.force_login(in_english(supervisor))
    url = reverse("compensation:decision", args=[case.pk, decision.pk])
    html = client.get(url).content.decode()
    lines = html.split('data-testid="assessment-lines"', 1)[1].split("</table>", 1)[0]
    reasons = html.split('data-testid="decision-reasons"', 1)[1].split("</ul>", 1)[0]
    faults = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "Stolen cash card" in lines and "ATM" in lines and "75%" in lines
    assert "we will compensate" in lines.lower() or "compensate" in lines.lower()
    assert "compensate" in reasons.lower()
    assert "Stolen cash card" in faults
    people = (supervisor.display_name, teller.display_name, other_supervisor.display_name)
    assert japanese_in(lines + reasons + faults, *people) == []


def test_a_recorded_sentence_the_rules_no_longer_make_is_shown_as_recorded(
    teller, supervisor, other_supervisor
):
    from django.utils import translation

    from compensation.models import Decision
    from compensation.selectors import decision_stored

    case, decision = approved_pin_memo_case(teller, supervisor, other_supervisor)
    result = dict(decision.result)
    result["reasons"] = ["以前のルールで書かれた理由です。", *result["reasons"][1:]]
    # The same record with one sentence no rule of today makes (a row read, never written).
    older = Decision(pk=decision.pk, case=case, facts=decision.facts, result=result)
    with translation.override("en"):
        from compensation.selectors.wording import staff_words

        shown = [staff_words(reason) for reason in decision_stored(older).reasons]
    assert shown[0] == "以前のルールで書かれた理由です。"
    assert all(not japanese_in(text) for text in shown[1:]), shown
