"""Forms of the freeze case's steps; dates within the project's range, whole yen."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.forms import TEXTAREA, WholeNumberField
from compensation.rules.vocab import MAX_YEN
from incidents.cases.validators import BoundedDateField

DATE_ERRORS = {"invalid": _("日付を正しく入力してください（例：2026/04/01）。")}


def _date(label) -> BoundedDateField:
    return BoundedDateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%Y/%m/%d"],
        error_messages=DATE_ERRORS,
    )


def _yen(label, low: int) -> WholeNumberField:
    return WholeNumberField(
        label=label,
        min_value=low,
        max_value=MAX_YEN,
        # Text, not a number box: "250,000" and full-width digits are typed at counters.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": _("金額は円単位の整数で入力してください。"),
            "min_value": _("%(limit_value)s円以上で入力してください。"),
            "max_value": _("%(limit_value)s円以下で入力してください。"),
        },
    )


class FreezeOpenForm(forms.Form):
    """Open a freeze case: the balance the core system shows when the account is frozen."""

    balance = _yen(_("凍結時の残高（円）"), 0)
    note = forms.CharField(label=_("経緯"), required=False, widget=TEXTAREA, max_length=2000)


class NoticeForm(forms.Form):
    """The request to the Deposit Insurance Corporation and the notice it published."""

    requested_on = _date(_("公告の求めの日"))
    reference = forms.CharField(label=_("預金保険機構の受付番号"), max_length=40)
    starts_on = _date(_("公告日"))


class ApplicationsOpenForm(forms.Form):
    """The first day of the application period for distribution."""

    opens_on = _date(_("申請期間の初日"))


class ApplicationForm(forms.Form):
    """A victim's application: who, when, and the loss claimed."""

    applicant_name = forms.CharField(label=_("申請者の氏名"), max_length=100)
    applicant_contact = forms.CharField(label=_("連絡先"), max_length=100, required=False)
    received_on = _date(_("受付日"))
    claimed_amount = _yen(_("被害額（申請額・円）"), 1)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ApplicationDecideForm(forms.Form):
    """Accept or reject one application, with the reason."""

    decision = forms.ChoiceField(
        label=_("決定"),
        choices=[("accept", _("認容")), ("reject", _("却下"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("決定の理由"), widget=TEXTAREA, max_length=2000)


class DistributionReviewForm(forms.Form):
    """The second supervisor's answer: approve, or return with a comment."""

    action = forms.ChoiceField(choices=[("approve", _("承認")), ("return", _("差戻し"))])
    comment = forms.CharField(label=_("コメント"), required=False, widget=TEXTAREA, max_length=2000)

    def clean(self):
        data = super().clean() or {}
        if data.get("action") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("差戻しの理由を入力してください。"))
        return data


class FreezeCoreForm(forms.Form):
    """A freeze the core did not confirm: ask it again, or record the reference of a freeze made
    at the core's terminal."""

    action = forms.ChoiceField(choices=[("retry", _("再依頼")), ("manual", _("端末で凍結済"))])
    reference = forms.CharField(label=_("勘定系の端末の照会番号"), required=False, max_length=40)

    def clean(self):
        data = super().clean() or {}
        if data.get("action") == "manual" and not (data.get("reference") or "").strip():
            self.add_error("reference", _("勘定系の端末の照会番号を入力してください。"))
        return data


class EvidenceForm(forms.Form):
    """A document supporting an application: PDF, JPEG or PNG (checked by its content)."""

    file = forms.FileField(
        label=_("証拠書類（PDF・JPEG・PNG）"),
        error_messages={"required": _("ファイルを選んでください。")},
    )
