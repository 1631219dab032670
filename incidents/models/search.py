"""Normalized search text for the case queue: names in kanji or kana, case and customer numbers,
accounts — so that ﾔﾏﾀﾞ, やまだ and ヤマダ, or ４５６７ and 4567, find the same case.

The case keeps one column, ``Case.search_text``, of tokens between bars::

    |n001-2026-00012|c123456|山田太郎|ヤマダタロウ|t09012345678|b19800401|a0011234567|

``n`` the case number, ``c`` the customer number, ``t`` each phone number (the customer's and the
reporter's, digits only), ``b`` the birth date (YYYYMMDD), ``a`` each account (branch code then
number); names stand bare. A trigram GIN index serves LIKE and regular-expression searches on it. Services
rebuild it whenever one of its sources changes; ``seed_bench`` builds it in SQL from the same
function's output.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Q

HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
SPACES = re.compile(r"[\s\u3000]+")
SEPARATOR = "|"
# Every dash a phone number is written with: ASCII and full-width hyphen-minus, the Unicode
# hyphens and dashes, the minus sign, the long-vowel marks an IME types for 「ー」.
DASHES = re.compile(r"[\-\u2010-\u2015\u2212\u30fc\uff0d\uff70\u2500\ufe58\ufe63]")
PHONE_NOISE = re.compile(r"[\s()（）+.]")


def normalize(value: str | None) -> str:
    """NFKC (half-width kana and full-width digits to their usual forms), hiragana to katakana,
    no spaces, lower case, no bars."""
    text = unicodedata.normalize("NFKC", value or "").translate(HIRAGANA_TO_KATAKANA)
    return SPACES.sub("", text).lower().replace(SEPARATOR, "")


def phone_digits(value: str | None) -> str:
    """A phone number as its digits alone: 「０９０ー１２３４ー５６７８」 is ``09012345678``.

    Empty when anything but digits, dashes, spaces, brackets, dots and plus signs was typed.
    """
    text = DASHES.sub("", unicodedata.normalize("NFKC", value or ""))
    text = PHONE_NOISE.sub("", text)
    return text if text.isascii() and text.isdigit() else ""


def search_text(
    *,
    number: str | None,
    customer_number: str,
    customer_name: str,
    customer_name_kana: str,
    phones: Iterable[str] = (),
    birth_date: datetime.date | None = None,
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
    for phone in dict.fromkeys(phone_digits(phone) for phone in phones):
        if phone:
            tokens.append("t" + phone)
    if birth_date is not None:
        tokens.append("b" + birth_date.strftime("%Y%m%d"))
    for branch, account in accounts:
        if account:
            tokens.append("a" + normalize(branch) + normalize(account))
    return SEPARATOR + SEPARATOR.join(tokens) + SEPARATOR if tokens else ""


def query_filter(query: str) -> Q | None:
    """The filter on ``search_text`` for what was typed; None if nothing was.

    Digits alone are a fragment of a case number, a whole customer number, or the last digits of
    an account or a phone number — never digits in the middle of one. Digits with hyphens are a
    fragment of a case number or the end of a phone number. A date with slashes, dots or 年月日
    (or an era) is a birth date. Anything else is a substring of a name, its kana or a case number.
    """
    text = normalize(query)
    if not text:
        return None
    digits = text.replace("-", "")
    if digits.isascii() and digits.isdigit():
        if "-" in text:
            return Q(search_text__regex=rf"\|(n[^|]*{re.escape(text)}|t[0-9]*{digits}\|)")
        return Q(search_text__regex=rf"\|(n[^|]*{digits}[^|]*|c{digits}|[at][0-9]*{digits})\|")
    if re.search(r"[/.年]", text) and (born := parse_birth_date(query)) is not None:
        return Q(search_text__contains=f"|b{born:%Y%m%d}|")
    return Q(search_text__contains=text)


# What a search is by (the search page's 検索対象). "any" guesses from what was typed.
ANY, NUMBER, NAME, CUSTOMER, PHONE, BIRTH, ACCOUNT = (
    "any",
    "number",
    "name",
    "customer",
    "phone",
    "birth",
    "account",
)
SEARCH_KINDS = (ANY, NUMBER, NAME, CUSTOMER, PHONE, BIRTH, ACCOUNT)
MIN_PHONE_DIGITS = 4  # the last four digits are what a caller is asked for


def kind_filter(kind: str, query: str) -> Q | None:
    """The filter for a search by one kind of key; None if the query is not such a key.

    A customer number matches customer numbers only, whole (never the last digits of an
    account); an account matches the last digits of branch code and number; a phone number any
    part of a phone number's digits; a birth date the day.
    """
    text = normalize(query)
    if not text:
        return None
    if kind == ANY:
        return query_filter(query)
    if kind == NUMBER:
        return Q(search_text__regex=rf"\|n[^|]*{re.escape(text)}")
    if kind == NAME:
        # Names stand bare: a token that is neither a number nor a date (those start with a
        # letter and a digit).
        # The plain substring lets the trigram index find the rows; the expression then checks
        # the token (the index cannot read trigrams through a lookahead).
        return Q(search_text__contains=text) & Q(
            search_text__regex=rf"\|(?![nctab][0-9])[^|]*{re.escape(text)}"
        )
    digits = DASHES.sub("", text)
    if kind == CUSTOMER:
        return Q(search_text__contains=f"|c{digits}|") if digits.isdigit() else None
    if kind == ACCOUNT:
        ok = digits.isascii() and digits.isdigit()
        return Q(search_text__regex=rf"\|a[0-9]*{digits}\|") if ok else None
    if kind == PHONE:
        phone = phone_digits(query)
        if len(phone) < MIN_PHONE_DIGITS:
            return None
        return Q(search_text__regex=rf"\|t[0-9]*{phone}")
    if kind == BIRTH:
        born = parse_birth_date(query)
        return Q(search_text__contains=f"|b{born:%Y%m%d}|") if born else None
    raise ValueError(f"unknown search kind {kind!r}")


# The eras a living customer can be born in, with the year before each one's first year.
ERAS = {
    "明治": 1867,
    "m": 1867,
    "大正": 1911,
    "t": 1911,
    "昭和": 1925,
    "s": 1925,
    "平成": 1988,
    "h": 1988,
    "令和": 2018,
    "r": 2018,
}
DATE_TYPED = re.compile(
    r"^(?P<era>明治|大正|昭和|平成|令和|[mtshr])?(?P<year>[0-9]{1,4}|元)"
    r"[-/.年](?P<month>[0-9]{1,2})[-/.月](?P<day>[0-9]{1,2})日?$"
)


def parse_birth_date(value: str | None) -> datetime.date | None:
    """A date as staff type a birth date: 1980-04-01, 1980/4/1, 1980.4.1, 19800401,
    1980年4月1日, or in the Japanese calendar 昭和55年4月1日, S55.4.1, 平成元年1月8日. None if it
    is none of these or no such day exists."""
    text = SPACES.sub("", unicodedata.normalize("NFKC", value or "")).lower()
    if re.fullmatch(r"[0-9]{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        match = DATE_TYPED.match(text)
        if match is None:
            return None
        era, typed = match["era"], match["year"]
        if era is None:
            if typed == "元" or len(typed) != 4:
                return None
            year = int(typed)
        else:
            if typed != "元" and len(typed) > 2:
                return None
            year = ERAS[era] + (1 if typed == "元" else int(typed))
        month, day = int(match["month"]), int(match["day"])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


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
