"""The case page's own forms: the police report, recoveries, documents."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.cases.channels import transfer_only_errors
from incidents.cases.fields import DATE_FORMATS, DATE_WIDGET, _date_field, _datetime_field
from incidents.cases.validators import (
    BoundedDateField,
    KatakanaField,
    WidthCharField,
    YenField,
    account_number_field,
    validate_not_future,
)
from incidents.models.choices import (
    AttachmentKind,
    FreezeAnswer,
)


class PoliceRecordForm(forms.Form):
    """The police report filed after the case was submitted (警察への届出を記録)."""

    police_station = WidthCharField(label=_("届出警察署"), max_length=60)
    police_filed_on = _date_field(_("届出日"))
    police_receipt_number = WidthCharField(label=_("受理番号"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["police_station"].error_messages["required"] = _("警察署名を入力してください。")
        self.fields["police_filed_on"].error_messages["required"] = _("届出日を入力してください。")


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
        if self.transaction is not None:
            refused = transfer_only_errors(
                channel=self.transaction.channel, values={"recovered_amount": amount}
            )
            if refused:
                raise forms.ValidationError(refused["recovered_amount"], code="not_transfer")
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


def _period_date(label) -> forms.DateField:
    # The Deposit Insurance Corporation's dates may lie ahead: in range, but not "not future".
    return BoundedDateField(
        label=label,
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("日付を正しく入力してください（例：2026/04/01）。")},
    )


class FreezeRequestForm(forms.Form):
    """Our request to a receiving bank to freeze an account, its answer and the public notices
    (docs/domain.md §9)."""

    request_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    payee_bank = forms.CharField(label=_("振込先金融機関"), max_length=60)
    payee_branch = forms.CharField(label=_("振込先支店"), max_length=60)
    payee_account_number = account_number_field(label=_("振込先口座番号"))
    payee_account_name = KatakanaField(
        label=_("振込先口座名義（カナ）"), max_length=80, required=False
    )
    requested_at = _datetime_field(_("依頼日時"), validators=[validate_not_future])
    contact_name = forms.CharField(label=_("先方の担当者"), max_length=80)
    answer = forms.ChoiceField(label=_("先方の回答"), choices=FreezeAnswer.choices)
    answer_note = forms.CharField(label=_("回答の内容"), max_length=200, required=False)
    notice_published_on = _period_date(_("失権公告の日（預金保険機構）"))
    distribution_opens_on = _period_date(_("分配金の申請期間（開始）"))
    distribution_closes_on = _period_date(_("分配金の申請期間（終了）"))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        opens, closes = data.get("distribution_opens_on"), data.get("distribution_closes_on")
        if opens and closes and closes < opens:
            self.add_error(
                "distribution_closes_on",
                _("申請期間の終了日は開始日以降の日付を入力してください。"),
            )
        if (opens or closes) and not data.get("notice_published_on"):
            self.add_error(
                "notice_published_on", _("申請期間を記録するときは失権公告の日も入力してください。")
            )
        return data
