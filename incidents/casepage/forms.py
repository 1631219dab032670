"""The case page's own forms: the police report, recoveries, documents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.cases.fields import _date_field
from incidents.cases.validators import (
    YenField,
    normalize_width,
)
from incidents.models.choices import (
    AttachmentKind,
)


class PoliceRecordForm(forms.Form):
    """The police report filed after the case was submitted (警察への届出を記録)."""

    police_station = forms.CharField(label=_("届出警察署"), max_length=60)
    police_filed_on = _date_field(_("届出日"))
    police_receipt_number = forms.CharField(label=_("受理番号"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police_station"].error_messages["required"] = _("警察署名を入力してください。")
        self.fields["police_filed_on"].error_messages["required"] = _("届出日を入力してください。")

    def clean_police_station(self):
        return normalize_width(self.cleaned_data["police_station"]).strip()

    def clean_police_receipt_number(self):
        return normalize_width(self.cleaned_data["police_receipt_number"]).strip()


class RecoveryForm(forms.Form):
    """How much of one unauthorized transaction came back (組戻し等による回収額)."""

    recovered_amount = YenField(label=_("組戻し等による回収額（円）"))

    def __init__(self, *args, transaction=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.transaction = transaction
        self.fields["recovered_amount"].error_messages["required"] = _(
            "回収額を入力してください（回収がない場合は0）。"
        )

    def clean_recovered_amount(self):
        amount = self.cleaned_data["recovered_amount"]
        if self.transaction is not None and amount > self.transaction.amount:
            raise forms.ValidationError(
                _("回収額は取引金額（%(amount)s円）以下で入力してください。")
                % {"amount": f"{self.transaction.amount:,}"},
                code="above_amount",
            )
        return amount


class AttachmentWithdrawForm(forms.Form):
    """Why a document is taken off the case (kept on the timeline and beside the document)."""

    reason = forms.CharField(
        label=_("取り下げの理由"),
        max_length=200,
        error_messages={
            "required": _("取り下げの理由を入力してください。"),
            "max_length": _(
                "取り下げの理由は200文字以内で入力してください（いまは%(show_value)d文字です）。"
            ),
        },
        help_text=_("例：別のお客さまの本人確認書類を誤って添付したため"),
    )


class AttachmentForm(forms.Form):
    """A document the customer handed in: what it is, and the file (PDF, JPEG or PNG)."""

    kind = forms.ChoiceField(
        label=_("書類の種類"),
        choices=[("", _("選択してください")), *AttachmentKind.choices],
        error_messages={
            "required": _("書類の種類を選んでください。"),
            "invalid_choice": _("書類の種類を一覧から選んでください。"),
        },
    )
    file = forms.FileField(
        label=_("ファイル（PDF・JPEG・PNG）"),
        max_length=200,
        error_messages={
            "required": _("ファイルを選んでください。"),
            "empty": _("ファイルが空です。"),
            "invalid": _("ファイルを受け取れませんでした。もう一度選んでください。"),
            "max_length": _("ファイル名が長すぎます（200文字まで）。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    note = forms.CharField(label=_("備考"), max_length=200, required=False)
