"""Normalized search text for the case queue: names in kanji or kana, case and customer numbers,
accounts — so that ﾔﾏﾀﾞ, やまだ and ヤマダ, or ４５６７ and 4567, find the same case.

The case keeps one column, ``Case.search_text``, of tokens between bars::

    |n001-2026-00012|c123456|山田太郎|ヤマダタロウ|a0011234567|

``n`` the case number, ``c`` the customer number, ``a`` each account (branch code then number);
names stand bare. A trigram GIN index serves LIKE and regular-expression searches on it. Services
rebuild it whenever one of its sources changes; ``seed_bench`` builds it in SQL from the same
function's output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q

HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
SPACES = re.compile(r"[\s\u3000]+")
SEPARATOR = "|"


def normalize(value: str | None) -> str:
    """NFKC (half-width kana and full-width digits to their usual forms), hiragana to katakana,
    no spaces, lower case, no bars."""
    text = unicodedata.normalize("NFKC", value or "").translate(HIRAGANA_TO_KATAKANA)
    return SPACES.sub("", text).lower().replace(SEPARATOR, "")


def search_text(
    *,
    number: str | None,
    customer_number: str,
    customer_name: str,
    customer_name_kana: str,
    accounts: Iterable[tuple[str, str]] = (),
) -> str:
    """The search column's value for a case."""
    tokens = []
    if number:
        tokens.append("n" + normalize(number))
    if customer_number:
        tokens.append("c" + normalize(customer_number))
    for name in (customer_name, customer_name_kana):
        if normalize(name):
            tokens.append(normalize(name))
    for branch, account in accounts:
        if account:
            tokens.append("a" + normalize(branch) + normalize(account))
    return SEPARATOR + SEPARATOR.join(tokens) + SEPARATOR if tokens else ""


def query_filter(query: str) -> Q | None:
    """The filter on ``search_text`` for what was typed; None if nothing was.

    Digits alone are a fragment of a case number, a whole customer number, or the last digits of
    an account — never digits in the middle of an account. Digits with hyphens are a fragment of
    a case number. Anything else is a substring of a name, its kana or a case number.
    """
    text = normalize(query)
    if not text:
        return None
    digits = text.replace("-", "")
    if digits.isascii() and digits.isdigit():
        if "-" in text:
            return Q(search_text__regex=rf"\|n[^|]*{re.escape(text)}")
        return Q(search_text__regex=rf"\|(n[^|]*{digits}[^|]*|c{digits}|a[0-9]*{digits})\|")
    return Q(search_text__contains=text)


# --- Keys that link cases (incidents.links): the same receiving account, the same ATM ----------

PUNCTUATION = re.compile(r"[\s\u3000・･.,，、。()（）\[\]「」'\"`‐\-−–—_/／]+")
# How tellers write the same institution or branch differently: 「みらい銀行」「みらい」, 「新宿支店」
# 「新宿」, 「○○信用金庫」「○○信金」. Only a suffix is dropped or shortened, never a name.
BANK_SUFFIXES = (("株式会社", ""), ("銀行", ""), ("信用金庫", "信金"), ("信用組合", "信組"),
                 ("労働金庫", "労金"))  # fmt: skip
BRANCH_SUFFIXES = (("支店", ""), ("営業部", ""), ("出張所", ""))


def _plain(value: str | None) -> str:
    """NFKC, katakana, lower case, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", value or "").translate(HIRAGANA_TO_KATAKANA)
    return PUNCTUATION.sub("", text).lower().replace(SEPARATOR, "")


def _without_suffixes(text: str, suffixes) -> str:
    for suffix, replacement in suffixes:
        if text.startswith(suffix):
            text = text[len(suffix) :]  # 「株式会社みらい銀行」
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)] + replacement
    return text


def payee_account_key(bank: str | None, branch: str | None, account_number: str | None) -> str:
    """One receiving account however it was typed: ``bank|branch|account`` (seven digits).

    Empty without an account number: a transfer to an unknown account links nothing.
    """
    digits = "".join(
        ch for ch in unicodedata.normalize("NFKC", account_number or "") if ch.isdigit()
    )
    if not digits:
        return ""
    bank_key = _without_suffixes(_plain(bank), BANK_SUFFIXES)
    branch_key = _without_suffixes(_plain(branch), BRANCH_SUFFIXES)
    return SEPARATOR.join((bank_key, branch_key, digits.zfill(7)))[:160]


def atm_location_key(location: str | None) -> str:
    """One ATM however it was typed (「駅前出張所 ＡＴＭ」 and 「駅前出張所ATM」); empty if unknown."""
    return _plain(location)[:80]
