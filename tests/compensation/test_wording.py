"""The rules' sentences in the reader's language (compensation/selectors/wording.py): in Japanese
exactly the engine's words, in English no Japanese left; the engine itself stays Japanese."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from compensation.rules import (
    CHECKLIST_LABELS,
    ITEM_KIND_LABELS,
    ITEM_KINDS,
    assess,
    no_limit_reason,
    parse_facts,
)
from compensation.rules.vocab import Phrase
from compensation.selectors.wording import staff_words
from tests.rules.support import SCENARIOS

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff08\uff09\uff1a\u3001\u3002]")


def sentences() -> list[str]:
    found: list[str] = []
    for scenario in SCENARIOS:
        facts, policy = parse_facts(scenario["input"])
        result = assess(facts, policy)
        found += list(result.reasons)
        for line in result.transactions:
            found += list(line.reasons)
    found += list(ITEM_KIND_LABELS.values()) + list(CHECKLIST_LABELS.values())
    # The panel's reason why a kind has no window and no two-year limit.
    found += [reason for reason in map(no_limit_reason, ITEM_KINDS) if reason is not None]
    return found


SENTENCES = sentences()


def test_every_sentence_of_the_worked_examples_is_a_phrase_with_its_key():
    assert len(SENTENCES) > 40
    assert all(isinstance(s, Phrase) and s.key for s in SENTENCES)


@pytest.mark.parametrize("sentence", SENTENCES, ids=lambda s: s.key)
def test_in_japanese_the_staff_words_are_exactly_the_engines(sentence):
    with translation.override("ja"):
        assert staff_words(sentence) == str(sentence)


@pytest.mark.parametrize("sentence", SENTENCES, ids=lambda s: s.key)
def test_in_english_no_japanese_is_left(sentence):
    with translation.override("en"):
        english = staff_words(sentence)
    assert english and not JAPANESE.search(english), english


def test_anything_else_is_shown_as_it_is():
    with translation.override("en"):
        assert staff_words("記録どおりの文") == "記録どおりの文"  # a stored decision's reason
        assert staff_words(None) == ""


@pytest.mark.parametrize(
    ("balance", "claims"),
    [
        (999, [("a", 5_000)]),  # too small to distribute
        (400_000, []),  # no accepted claim
        (400_000, [("a", 300_000)]),  # each in full, a remainder
        (300_000, [("a", 300_000)]),  # each in full, nothing left
        (250_000, [("a", 300_000), ("b", 100_000)]),  # pro rata, remainder by rounding
        (400_000, [("a", 300_000), ("b", 100_001)]),  # pro rata
    ],
)
def test_every_distribution_reason_is_said_alike_by_the_rules_and_by_the_staff_words(
    balance, claims
):
    from django.utils import translation

    from compensation import rules
    from compensation.selectors.wording import staff_words

    data = {"balance": balance, "claims": [{"id": i, "amount": a} for i, a in claims]}
    reason = rules.distribute(rules.parse_distribution(data)).reason
    with translation.override("ja"):
        assert staff_words(reason) == str(reason)
    with translation.override("en"):
        english = staff_words(reason)
    assert english != str(reason) and not any("\u3040" <= ch <= "\u9fff" for ch in english)
