"""The queue's search: kanji or kana in any width or script, case and customer numbers, accounts."""

from __future__ import annotations

import pytest

from incidents.models import Case
from incidents.models.search import normalize, query_filter
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("やまだ　たろう", "ヤマダタロウ"),
        ("ヤマダ タロウ", "ヤマダタロウ"),
        ("山田　太郎", "山田太郎"),
        ("１２３４５６７", "1234567"),
        ("ｙａｍａｄａ", "yamada"),
    ],
)
def test_names_and_numbers_are_normalized_alike(typed, normalized):
    assert normalize(typed) == normalized


@pytest.fixture
def cases(teller):
    yamada = factories.stolen_card_case(teller)  # 山田 太郎, customer 123456, account 001-1234567
    suzuki = factories.draft(
        teller,
        customer_number="765432",
        customer_name="鈴木 花子",
        customer_name_kana="スズキ ハナコ",
    )
    return yamada, suzuki


def found(query):
    return set(Case.objects.filter(query_filter(query)).values_list("pk", flat=True))


def test_a_name_is_found_in_kanji_katakana_hiragana_or_half_width(cases):
    yamada, suzuki = cases
    for query in ("山田", "田 太", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "たろう"):
        assert found(query) == {yamada.pk}, query
    assert found("すずき　はなこ") == {suzuki.pk}


def test_numbers_find_the_case_number_the_customer_number_or_an_accounts_last_digits(cases):
    yamada, _suzuki = cases
    assert found(yamada.number) == {yamada.pk}
    assert found(yamada.number[-5:]) == {yamada.pk}
    assert found("123456") == {yamada.pk}  # the whole customer number
    assert found("4567") == {yamada.pk}  # the last digits of account 1234567
    assert found("０００１２３４５６７"[-4:]) == {yamada.pk}  # full-width digits
    assert found("2345") == set()  # digits in the middle of an account are not its last digits
    assert found("12345") == set()  # nor is part of a customer number


def test_blank_search_filters_nothing():
    assert query_filter("  　") is None
