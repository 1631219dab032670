"""The access log's search form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.cases.fields import DATE_FORMATS, DATE_WIDGET
from incidents.cases.validators import (
    AsciiIntegerField,
    BoundedDateField,
    PlainCharField,
)


class AccessLogFilterForm(forms.Form):
    """Search of the access log by member of staff, case and period."""

    staff = PlainCharField(
        label=_("職員"), max_length=80, required=False, help_text=_("ユーザー名または氏名")
    )
    case_number = PlainCharField(label=_("受付番号"), max_length=20, required=False)
    date_from = BoundedDateField(
        label=_("期間（から）"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    date_to = BoundedDateField(
        label=_("期間（まで）"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    page = AsciiIntegerField(min_value=1, max_value=100_000, required=False)
    refusal_page = AsciiIntegerField(min_value=1, max_value=100_000, required=False)
