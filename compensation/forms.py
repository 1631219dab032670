"""Forms of the compensation review: findings, faults, case-by-case rates and the four-eyes steps."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.choices import Fault, TakenBy
from compensation.models import MAX_DAYS, CaseAssessment, PolicyVersion
from compensation.selectors import ItemView, Line
from compensation.services.findings import FINDINGS_FIELDS
from compensation.services.policy import POLICY_FIELDS
from incidents.cases.fields import field_of
from incidents.cases.validators import (
    AsciiIntegerField,
    BoundedDateField,
    normalize_width,
    validate_not_future,
)

TEXTAREA = forms.Textarea(attrs={"rows": 2})


class WholeNumberField(AsciiIntegerField):
    """A whole number; full-width digits are accepted (and read as 0–9), no other script's."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_width(value).replace(",", "")
        return super().to_python(value)


class FindingsForm(forms.ModelForm):
    """The facts the teller does not record, found by the supervisor (docs/domain.md §4.1)."""

    unavoidable_days = WholeNumberField(
        label=CaseAssessment._meta.get_field("unavoidable_days").verbose_name,
        help_text=CaseAssessment._meta.get_field("unavoidable_days").help_text,
        min_value=0,
        max_value=MAX_DAYS,
        error_messages={
            "invalid": _("日数は0以上の整数で入力してください。"),
            "min_value": _("日数は0以上の整数で入力してください。"),
            "max_value": _("日数は%(limit_value)s日以下で入力してください。"),
            "required": _("日数を入力してください（ない場合は0）。"),
        },
    )

    class Meta:
        model = CaseAssessment
        fields = FINDINGS_FIELDS
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The model's choices, with this label on the blank one.
        field_of(self, "taken_by", forms.ChoiceField).choices = [
            ("", _("不明・該当なし")),
            *TakenBy.choices,
        ]


class FaultForm(forms.Form):
    """The supervisor's confirmed fault for one item, shown beside the checklist's suggestion."""

    fault = forms.ChoiceField(label=_("認定する過失"), required=False)
    reason = forms.CharField(
        label=_("判定と異なる認定の理由"), required=False, widget=TEXTAREA, max_length=2000
    )

    def __init__(self, *args, view: ItemView, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.view = view
        choices = list(Fault.choices)
        if view.confirmed is None:
            choices = [("", _("— 未認定 —")), *choices]
        field_of(self, "fault", forms.ChoiceField).choices = choices
        if view.suggested is None:
            self.fields["reason"].label = _("認定の理由")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        fault = data.get("fault") or ""
        reason = (data.get("reason") or "").strip()
        if fault and fault != (self.view.suggested or "") and not reason:
            if self.view.suggested:
                message = _(
                    "チェックリストの判定（%(suggested)s）と異なる認定には理由を入力してください。"
                ) % {"suggested": self.view.suggested_label}
            else:
                message = str(_("判定がないため、認定の理由を入力してください。"))
            self.add_error("reason", message)
        data["reason"] = reason
        return data


class RateForm(forms.Form):
    """The rate a supervisor sets for a line the rules leave to be decided case by case."""

    rate = WholeNumberField(
        label=_("補償率（％）"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": _("補償率は0〜100の整数（％）で入力してください。"),
            "min_value": _("補償率は0〜100の整数（％）で入力してください。"),
            "max_value": _("補償率は0〜100の整数（％）で入力してください。"),
        },
    )
    reason = forms.CharField(
        label=_("補償率の理由"), required=False, widget=TEXTAREA, max_length=2000
    )

    def __init__(self, *args, line: Line, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.line = line

    def clean(self):
        super().clean()
        data = self.cleaned_data
        rate = data.get("rate")
        reason = (data.get("reason") or "").strip()
        if rate is not None and not reason:
            self.add_error("reason", _("補償率を決めた理由を入力してください。"))
        if rate is None and reason and "rate" not in self.errors:
            self.add_error("rate", _("補償率を入力してください。"))
        data["reason"] = reason
        return data


class SubmitForm(forms.Form):
    """Submit a case's compensation for review."""

    note = forms.CharField(
        label=_("審査依頼のコメント"), required=False, widget=TEXTAREA, max_length=2000
    )


class ApproveForm(forms.Form):
    """Approve what the reviewer saw (the fingerprint of the facts and rates shown)."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirmed = forms.BooleanField(
        label=_("事実認定・過失の認定・補償額を確認し、この補償決定を承認します。"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )


class ReturnForm(forms.Form):
    """Send a decision back with a comment."""

    comment = forms.CharField(
        label=_("差戻しの理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("差戻しの理由（コメント）を入力してください。")},
    )


class PaidForm(forms.Form):
    """Record the payment of the approved compensation."""

    paid_on = BoundedDateField(
        label=_("支払日"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        validators=[validate_not_future],
        error_messages={
            "invalid": _("日付を正しく入力してください（例：2026/04/01）。"),
            "required": _("支払日を入力してください。"),
        },
    )
    reference = forms.CharField(label=_("振込受付番号"), required=False, max_length=40)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PolicyVersionAdminForm(forms.ModelForm):
    """The admin's form for a policy version: a start day that changes no approved decision."""

    class Meta:
        model = PolicyVersion
        fields = ("valid_from", *POLICY_FIELDS, "note")

    # The Remedy Act's periods may be left empty: the law's minimums are then kept.
    OPTIONAL_DEFAULTS = ("remedy_notice_days", "remedy_application_days")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL_DEFAULTS:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        data = super().clean() or {}
        for name in self.OPTIONAL_DEFAULTS:
            if name in self.fields and data.get(name) is None and name not in self.errors:
                field = PolicyVersion._meta.get_field(name)
                assert isinstance(field, models.Field)  # a column of the model, not a relation
                data[name] = field.get_default()
        return data
