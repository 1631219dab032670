"""Input rules for the intake, with messages a teller understands (docs/domain.md §8)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.rules.vocab import EARLIEST_DATE, LATEST_DATE
from incidents.models import MAX_AMOUNT_YEN

KATAKANA_RE = re.compile(r"^[\u30A0-\u30FF\u3000 ・ー（）()]+$")
# Digits are ASCII: str.isdigit() also says yes to "²" (which int() refuses) and re's \d to "١٢٣".
ASCII_DIGITS_RE = re.compile(r"[0-9]+")
ASCII_INTEGER_RE = re.compile(r"-?[0-9]+")
# Control characters (NUL above all: PostgreSQL refuses it in text) are never typed by anyone.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The largest id or version a bigint column holds.
BIGINT_MAX = 2**63 - 1


def normalize_width(value: str) -> str:
    """Full-width digits and half-width kana become their usual forms (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def is_ascii_digits(value: str) -> bool:
    """Whether the text is one or more of 0–9 and nothing else."""
    return bool(ASCII_DIGITS_RE.fullmatch(value or ""))


def validate_no_control_characters(value: str) -> None:
    """No NUL or other control character (tabs and line breaks are text)."""
    if value and CONTROL_RE.search(value):
        raise ValidationError(
            _("制御文字（NULなど）は入力できません。入力し直してください。"), code="control"
        )


def validate_date_in_range(value: date | datetime | None) -> None:
    """Every date Mamori takes lies between 1900-01-01 and 2999-12-31 (the rules engine's range).

    A datetime is judged by the day it was typed as (its wall-clock date), so a value that would
    leave the range once converted to UTC never reaches the database.
    """
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValidationError(
            _("%(earliest)s から %(latest)s までの日付を入力してください。"),
            code="out_of_range",
            params={
                "earliest": EARLIEST_DATE.strftime("%Y/%m/%d"),
                "latest": LATEST_DATE.strftime("%Y/%m/%d"),
            },
        )


# For the admin's forms (ModelAdmin.formfield_overrides): every date and time an administrator
# types is held to the one range, with its Japanese message, before the database is asked.
BOUNDED_DATE_FORMFIELDS: dict[Any, dict[str, Any]] = {
    models.DateField: {"validators": [validate_date_in_range]},
    models.DateTimeField: {"validators": [validate_date_in_range]},
}


def validate_not_future(value: date | datetime | None) -> None:
    """No date or time after now (Japan time)."""
    if value is None:
        return
    if isinstance(value, datetime):
        if value > timezone.now():
            raise ValidationError(_("未来の日時は入力できません。"), code="future")
    elif value > timezone.localdate():
        raise ValidationError(_("未来の日付は入力できません。"), code="future")


class BoundedDateField(forms.DateField):
    """A date within the project's range (validate_date_in_range); never an overflow."""

    default_validators = [validate_date_in_range]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError) as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within the project's range; a year 1 or 9999 is refused, not stored."""

    default_validators = [validate_date_in_range]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError) as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class AsciiIntegerField(forms.IntegerField):
    """A whole number in ASCII digits within a bigint: never "²", "١٢٣" or an overflow.

    For the numbers a page sends back by itself (versions, ids, page numbers); a number a teller
    types, full-width digits included, is read by the field made for it (YenField and the like).
    """

    def __init__(self, *, min_value=-BIGINT_MAX, max_value=BIGINT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else None
        if text and not ASCII_INTEGER_RE.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WidthCharField(forms.CharField):
    """Text kept in its usual widths (NFKC: full-width digits half-width, half-width kana
    full-width), trimmed; its length is checked after, since one character can widen into
    several (㌀ into アパート, ㈱ into (株)) and must not overflow the column."""

    def to_python(self, value):
        text = super().to_python(value)
        return normalize_width(text) if text else text


def validate_ascii_digits(value: str) -> None:
    """Digits 0–9 only (after widening), in the customer's words for a customer number."""
    if value and not is_ascii_digits(value):
        raise ValidationError(_("顧客番号は数字で入力してください。"), code="digits")


def customer_number_field(**kwargs) -> WidthCharField:
    """The core's customer number: up to 10 digits, any width, optional."""
    return WidthCharField(
        label=_("顧客番号"),
        max_length=10,
        required=False,
        help_text=_("勘定系の顧客番号（不明の場合は空欄）"),
        validators=[validate_ascii_digits],
        **kwargs,
    )


class PlainCharField(forms.CharField):
    """Text without control characters, refused in plain Japanese (Django's own Japanese message
    for a NUL reads 「何か文字を入力してください。」)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [validate_no_control_characters]


def id_field(**kwargs) -> AsciiIntegerField:
    """The id of a row, as a page sends it back."""
    return AsciiIntegerField(min_value=1, **kwargs)


# Hiragana ぁ–ゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {
    0x309D: 0x30FD,
    0x309E: 0x30FE,
}


def hiragana_to_katakana(value: str) -> str:
    """やまだ → ヤマダ: what a teller types without switching the input method to katakana."""
    return value.translate(_HIRAGANA_TO_KATAKANA)


class KatakanaField(forms.CharField):
    """A name in full-width katakana; half-width kana and hiragana are converted."""

    def widget_attrs(self, widget):
        # data-kana: the page's script turns hiragana into katakana as it is typed.
        return {**super().widget_attrs(widget), "data-kana": ""}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        # NFKC turns half-width kana into full-width; keep full-width spaces as one space.
        value = unicodedata.normalize("NFKC", value).replace("\u3000", " ").strip()
        return hiragana_to_katakana(re.sub(r"\s+", " ", value))

    def validate(self, value):
        super().validate(value)
        if value and not KATAKANA_RE.match(value):
            raise ValidationError(
                _("フリガナは全角カタカナで入力してください（例：ヤマダ タロウ）。"),
                code="katakana",
            )


class DigitsField(WidthCharField):
    """A fixed-length number such as a branch code or account number; full-width digits accepted."""

    def __init__(self, *, digits: int, message, **kwargs):
        self.digits = digits
        self.message = message
        kwargs.setdefault("max_length", digits * 3)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("-", "") if text else text

    def validate(self, value):
        super().validate(value)
        if value and not re.fullmatch(rf"[0-9]{{{self.digits}}}", value):
            raise ValidationError(self.message, code="digits")


class YenInput(forms.TextInput):
    """An amount shown with thousands separators (200,000), as the teller reads it."""

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class YenField(forms.Field):
    """A whole-yen amount ≥ 0 with a sane upper bound; accepts 1,000 and full-width digits."""

    widget = YenInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # data-yen: the page's script adds the separators as the amount is typed.
        self.widget.attrs.update({"inputmode": "numeric", "maxlength": "20", "data-yen": ""})

    def to_python(self, value):
        if isinstance(value, int):
            return value
        raw = str(value or "")
        if len(raw) > 40:
            # Longer than any amount however it is separated: refused, never cut to a number.
            raise ValidationError(
                _("金額は1円単位の整数で入力してください（小数・記号は使えません）。"),
                code="whole_yen",
            )
        text = normalize_width(raw).replace(",", "").replace("，", "").replace("円", "")
        if text in ("",):
            return None
        if not ASCII_INTEGER_RE.fullmatch(text):
            raise ValidationError(
                _("金額は1円単位の整数で入力してください（小数・記号は使えません）。"),
                code="whole_yen",
            )
        amount = int(text)
        if amount < 0:
            raise ValidationError(_("金額に負の数は入力できません。"), code="negative")
        if amount > MAX_AMOUNT_YEN:
            raise ValidationError(
                _("金額が大きすぎます（上限 %(max)s 円）。入力を確認してください。")
                % {"max": f"{MAX_AMOUNT_YEN:,}"},
                code="too_large",
            )
        return amount


def branch_code_field(**kwargs) -> DigitsField:
    """A 3-digit branch code (店番)."""
    return DigitsField(digits=3, message=_("店番は3桁の数字で入力してください。"), **kwargs)


def account_number_field(**kwargs) -> DigitsField:
    """A 7-digit account number (口座番号)."""
    return DigitsField(digits=7, message=_("口座番号は7桁の数字で入力してください。"), **kwargs)
