"""Form fields every page shares: dates in range, phone numbers."""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.cases.validators import (
    BoundedDateField,
    BoundedDateTimeField,
    WidthCharField,
    is_ascii_digits,
    validate_not_future,
)
from incidents.models.choices import (
    ItemKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]

_Field = TypeVar("_Field", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """The form's own copy of its field ``name``, as the ``kind`` of field it is declared (to set
    the choices or queryset it gets per request)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


def _date_field(label, required=True, **kwargs) -> forms.DateField:
    return BoundedDateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        validators=[validate_not_future],
        error_messages={"invalid": _("日付を正しく入力してください（例：2026/04/01）。")},
        **kwargs,
    )


def _datetime_field(label, required=True, **kwargs) -> forms.DateTimeField:
    return BoundedDateTimeField(
        label=label,
        required=required,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        error_messages={"invalid": _("日時を正しく入力してください（例：2026/04/01 14:30）。")},
        **kwargs,
    )


class PhoneField(WidthCharField):
    """A Japanese phone number: digits and hyphens, full-width accepted."""

    def to_python(self, value):
        text = super().to_python(value)
        return text.replace("ー", "-").replace("−", "-") if text else text

    def validate(self, value):
        super().validate(value)
        digits = value.replace("-", "")
        if value and (not is_ascii_digits(digits) or not 10 <= len(digits) <= 11):
            raise forms.ValidationError(
                _("電話番号は10〜11桁の数字で入力してください（ハイフン可）。"), code="phone"
            )


MONEY_KINDS = (
    ItemKind.CASH_CARD,
    ItemKind.PASSBOOK,
    ItemKind.SEAL,
    ItemKind.ONLINE_BANKING,
    ItemKind.TRANSFER_FRAUD,  # the account the customer transferred from
)
