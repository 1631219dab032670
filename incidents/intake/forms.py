"""The intake's step forms. Every message is Japanese by default and keeps what was typed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.cases.channels import PAYEE_FIELDS, is_transfer, transfer_only_errors
from incidents.cases.checklist import COMMON_QUESTIONS
from incidents.cases.fields import (
    MONEY_KINDS,
    PhoneField,
    _date_field,
    _datetime_field,
    field_of,
)
from incidents.cases.validators import (
    KatakanaField,
    WidthCharField,
    YenField,
    account_number_field,
    branch_code_field,
    customer_number_field,
    id_field,
    is_ascii_digits,
    normalize_width,
    validate_not_future,
)
from incidents.models import Case, ReportedItem
from incidents.models.choices import (
    BY_FREEZE_REQUEST,
    STATES_BY_KIND,
    TRANSFER_CHANNELS,
    ActionStatus,
    Channel,
    CustomerType,
    FraudApproach,
    IdDocumentKind,
    ItemKind,
    ItemState,
    PoliceStatus,
    ReporterRelation,
    TransactionChannel,
)


class ReporterForm(forms.Form):
    """Step 1: who reports, how, and when the bank was notified."""

    channel = forms.ChoiceField(
        label=_("受付方法"), choices=Channel.choices, widget=forms.RadioSelect
    )
    reporter_relation = forms.ChoiceField(
        label=_("届出人"), choices=ReporterRelation.choices, widget=forms.RadioSelect
    )
    reporter_name = forms.CharField(
        label=_("届出人氏名"),
        max_length=80,
        required=False,
        help_text=_("ご本人以外からの届出の場合に入力"),
    )
    reporter_phone = PhoneField(label=_("届出人連絡先"), max_length=20, required=False)
    notified_at = _datetime_field(
        _("通知日時（当行が届出を受けた日時）"), validators=[validate_not_future]
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("reporter_relation") not in (None, ReporterRelation.SELF) and not data.get(
            "reporter_name"
        ):
            self.add_error(
                "reporter_name", _("ご本人以外からの届出の場合は、届出人の氏名を入力してください。")
            )
        return data


class CustomerForm(forms.Form):
    """Step 2: the customer as reported."""

    customer_number = customer_number_field()
    customer_type = forms.ChoiceField(
        label=_("個人・法人"),
        choices=CustomerType.choices,
        widget=forms.RadioSelect,
        help_text=_("個人事業主の方は「個人」です。"),
    )
    customer_name = WidthCharField(label=_("氏名（漢字）"), max_length=80)
    customer_name_kana = KatakanaField(label=_("氏名（カナ）"), max_length=80)
    customer_birth_date = _date_field(_("生年月日"), required=False)
    customer_phone = PhoneField(label=_("電話番号"), max_length=20, required=False)
    customer_postal_code = forms.CharField(
        label=_("郵便番号"),
        max_length=10,
        required=False,
        help_text=_("7桁（例：100-0005）。補償に関するご連絡の郵送先です。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    customer_address = WidthCharField(
        label=_("住所"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean_customer_postal_code(self) -> str:
        digits = normalize_width(self.cleaned_data.get("customer_postal_code", ""))
        digits = digits.replace("〒", "").replace("-", "").replace("ー", "").strip()
        if not digits:
            return ""
        if not (len(digits) == 7 and is_ascii_digits(digits)):
            raise forms.ValidationError(
                _("郵便番号は7桁の数字で入力してください（例：100-0005）。"), code="postal_code"
            )
        return f"{digits[:3]}-{digits[3:]}"


class ItemForm(forms.Form):
    """One reported item."""

    id = id_field(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("種類"), choices=[("", "---------"), *ItemKind.choices])
    state = forms.ChoiceField(
        label=_("事故の内容"), choices=[("", "---------"), *ItemState.choices]
    )
    id_document_kind = forms.ChoiceField(
        label=_("書類の種類"), choices=[("", "---------"), *IdDocumentKind.choices], required=False
    )
    account_branch = branch_code_field(label=_("店番"), required=False)
    account_number = account_number_field(label=_("口座番号"), required=False)
    occurred_on = _date_field(_("盗難・紛失・盗取の日"), required=False)
    occurred_unknown = forms.BooleanField(label=_("発生日不明"), required=False)
    noticed_on = _date_field(_("気付いた日"))
    note = forms.CharField(label=_("備考"), max_length=200, required=False)

    def __init__(self, *args, notified_on=None, **kwargs):
        self.notified_on = notified_on
        super().__init__(*args, **kwargs)
        # The page's script offers only the contents that fit the kind chosen (the server still
        # checks it in clean()).
        self.fields["state"].widget.attrs["data-states-by-kind"] = json.dumps(
            {str(kind): [str(state) for state in states] for kind, states in STATES_BY_KIND.items()}
        )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, state = data.get("kind"), data.get("state")
        if kind and state and state not in STATES_BY_KIND.get(kind, ()):
            self.add_error("state", _("この種類には選べない内容です。"))
        if kind in MONEY_KINDS:
            for name in ("account_branch", "account_number"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("口座（店番・口座番号）を入力してください。"))
        if kind == ItemKind.ID_DOCUMENT and not data.get("id_document_kind"):
            self.add_error("id_document_kind", _("書類の種類を選んでください。"))
        occurred, noticed = data.get("occurred_on"), data.get("noticed_on")
        if not occurred and not data.get("occurred_unknown") and "occurred_on" not in self.errors:
            self.add_error(
                "occurred_on", _("発生日を入力するか、「発生日不明」にチェックしてください。")
            )
        if occurred and data.get("occurred_unknown"):
            data["occurred_unknown"] = False
        if occurred and noticed and noticed < occurred:
            self.add_error("noticed_on", _("気付いた日は発生日以降の日付を入力してください。"))
        if noticed and self.notified_on and noticed > self.notified_on:
            self.add_error(
                "noticed_on",
                _("気付いた日は通知日（%(day)s）以前の日付を入力してください。")
                % {"day": self.notified_on.strftime("%Y/%m/%d")},
            )
        return data


class BaseRowFormSet(forms.BaseFormSet):
    """A formset whose empty extra rows are ignored and whose rows can be deleted."""

    # What a row added on the page starts with (the page's script copies the empty form).
    empty_initial: dict = {}

    @property
    def empty_form(self):
        form = super().empty_form
        form.initial = {**form.initial, **self.empty_initial}
        return form

    def rows(self) -> list[dict]:
        """Cleaned rows worth saving: changed or existing ones."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            row = dict(form.cleaned_data)
            row["DELETE"] = bool(row.get("DELETE"))
            rows.append(row)
        return rows


def item_formset(extra: int = 0) -> type[BaseRowFormSet]:
    """Items formset; ``extra`` blank rows for the teller to fill."""
    # formset_factory makes a subclass of ``formset``; its stubs say only BaseFormSet.
    return cast(
        type[BaseRowFormSet],
        forms.formset_factory(
            ItemForm,
            formset=BaseRowFormSet,
            extra=extra,
            can_delete=True,
            max_num=20,
            absolute_max=20,  # a forged TOTAL_FORMS never builds more rows than may be saved
            validate_max=True,
        ),
    )


class StopForm(forms.Form):
    """The teller's decision on one proposed stop."""

    DECISIONS = [
        ("", _("未選択")),
        (ActionStatus.DONE, _("実施する（勘定系で停止）")),
        (ActionStatus.DECLINED, _("見送る")),
    ]
    decision = forms.ChoiceField(label=_("実施状況"), choices=DECISIONS, required=False)
    reference = forms.CharField(
        label=_("受付番号"),
        max_length=40,
        required=False,
        help_text=_("勘定系端末で実施済みの場合はその受付番号。空欄なら本システムから停止します。"),
    )
    decline_reason = forms.CharField(label=_("見送りの理由"), max_length=200, required=False)

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if kind in BY_FREEZE_REQUEST:
            # Done by recording the freeze request (the link beside it), not at our core.
            decision = cast(forms.ChoiceField, self.fields["decision"])
            decision.choices = [c for c in self.DECISIONS if c[0] != ActionStatus.DONE]
            decision.help_text = _("凍結依頼を記録すると実施済になります。")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("decision") == ActionStatus.DECLINED
            and not data.get("decline_reason", "").strip()
        ):
            self.add_error("decline_reason", _("見送る場合は理由を入力してください。"))
        return data


class TransactionForm(forms.Form):
    """One unauthorized transaction."""

    id = id_field(widget=forms.HiddenInput, required=False)
    item = forms.TypedChoiceField(label=_("使われた届出対象"), coerce=int)
    occurred_at = _datetime_field(_("取引日時"), validators=[validate_not_future])
    account_branch = branch_code_field(label=_("店番"))
    account_number = account_number_field(label=_("口座番号"))
    channel = forms.ChoiceField(
        label=_("取引種類"), choices=[("", "---------"), *TransactionChannel.choices]
    )
    amount = YenField(label=_("金額（円）"))
    fee = YenField(label=_("手数料（円）"), required=False)
    interest = YenField(label=_("利息（円）"), required=False)
    location = forms.CharField(label=_("ATM・店舗"), max_length=80, required=False)
    payee_bank = forms.CharField(label=_("振込先金融機関"), max_length=60, required=False)
    payee_branch = forms.CharField(label=_("振込先支店"), max_length=60, required=False)
    payee_account_number = account_number_field(label=_("振込先口座番号"), required=False)
    payee_account_name = KatakanaField(
        label=_("振込先口座名義（カナ）"), max_length=80, required=False
    )

    CHANNELS_BY_KIND: dict[str, set[str]] = {
        ItemKind.CASH_CARD: {
            TransactionChannel.ATM_WITHDRAWAL,
            TransactionChannel.ATM_TRANSFER,
            TransactionChannel.DEBIT_PURCHASE,
        },
        ItemKind.PASSBOOK: {
            TransactionChannel.ATM_WITHDRAWAL,
            TransactionChannel.ATM_TRANSFER,
            TransactionChannel.COUNTER_WITHDRAWAL,
        },
        ItemKind.ONLINE_BANKING: {TransactionChannel.ONLINE_TRANSFER},
        # The transfers the deceived customer made themselves, to any bank (docs/domain.md §9).
        ItemKind.TRANSFER_FRAUD: set(TRANSFER_CHANNELS),
    }

    def __init__(
        self,
        *args,
        items: Sequence[ReportedItem] = (),
        recovered: Mapping[int, int] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.recovered = recovered or {}
        # The page's script shows the payee only for a transfer.
        self.fields["channel"].widget.attrs["data-transfer-channels"] = " ".join(
            str(channel) for channel in TRANSFER_CHANNELS
        )
        self.items = {item.pk: item for item in items}
        field_of(self, "item", forms.ChoiceField).choices = [("", "---------")] + [
            (item.pk, f"{item}　{item.masked_account}") for item in items
        ]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("fee") is None:
            data["fee"] = 0
        if data.get("interest") is None:
            data["interest"] = 0
        item = self.items.get(data["item"]) if data.get("item") is not None else None
        channel = data.get("channel")
        if item and channel and channel not in self.CHANNELS_BY_KIND.get(item.kind, set()):
            self.add_error("channel", _("この届出対象では行えない取引種類です。"))
        # Without script every field shows: a payee typed on a row that is not a transfer is refused
        # (the channel may be the mistake), never dropped unseen.
        values = {**data, "recovered_amount": self.recovered.get(data.get("id") or 0, 0)}
        for name, message in transfer_only_errors(channel=channel, values=values).items():
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, message)
        if is_transfer(channel):
            for name in PAYEE_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("振込の場合は振込先を入力してください。"))
        return data


def transaction_formset(extra: int = 0) -> type[BaseRowFormSet]:
    """Transactions formset; ``extra`` blank rows for the teller to fill."""
    # formset_factory makes a subclass of ``formset``; its stubs say only BaseFormSet.
    return cast(
        type[BaseRowFormSet],
        forms.formset_factory(
            TransactionForm,
            formset=BaseRowFormSet,
            extra=extra,
            can_delete=True,
            max_num=200,
            absolute_max=200,
            validate_max=True,
        ),
    )


class PoliceForm(forms.Form):
    """Step: the police report (被害届)."""

    police_status = forms.ChoiceField(
        label=_("警察への届出"), choices=PoliceStatus.choices, widget=forms.RadioSelect
    )
    police_station = forms.CharField(label=_("届出警察署"), max_length=60, required=False)
    police_filed_on = _date_field(_("届出日"), required=False)
    # Half-width at intake as on the case page: 第１２３号 and 第123号 are one number.
    police_receipt_number = WidthCharField(label=_("受理番号"), max_length=40, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("police_status") == PoliceStatus.FILED:
            if not data.get("police_station"):
                self.add_error("police_station", _("届出済の場合は警察署名を入力してください。"))
            if not data.get("police_filed_on") and "police_filed_on" not in self.errors:
                self.add_error("police_filed_on", _("届出済の場合は届出日を入力してください。"))
        return data


class ChecklistForm(forms.Form):
    """Step: the circumstances checklist; only the questions the items call for are shown."""

    card = forms.MultipleChoiceField(
        label=_("キャッシュカードについて"), required=False, widget=forms.CheckboxSelectMultiple
    )
    passbook = forms.MultipleChoiceField(
        label=_("通帳・届出印について"), required=False, widget=forms.CheckboxSelectMultiple
    )
    common = forms.MultipleChoiceField(
        label=_("その他"), required=False, widget=forms.CheckboxSelectMultiple
    )
    online_banking = forms.MultipleChoiceField(
        label=_("インターネットバンキングのご利用状況"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    circumstances_note = forms.CharField(
        label=_("状況（自由記述）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, questions: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("card", "passbook", "online_banking"):
            if questions.get(name):
                field_of(self, name, forms.ChoiceField).choices = questions[name]
            else:
                del self.fields[name]
        if questions.get("card") or questions.get("passbook"):
            field_of(self, "common", forms.ChoiceField).choices = COMMON_QUESTIONS
        else:
            del self.fields["common"]


YES_NO = [(True, _("はい")), (False, _("いいえ"))]


def _yes_no(label) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": _("「はい」か「いいえ」を選んでください。")},
    )


class FraudForm(forms.Form):
    """Step: the warning signs a teller listens for, and how a deceived customer was approached
    (docs/domain.md §9, §10). A "yes" opens the transfer-fraud path and flags the case."""

    sign_atm_call = _yes_no(_("電話でATMの操作を指示されましたか（ATMで還付金は受け取れません）"))
    sign_home_visit = _yes_no(_("自宅に来た者にカードを渡した、またはすり替えられましたか"))
    sign_pin_asked = _yes_no(_("警察官・銀行員を名乗る者から暗証番号を聞かれましたか"))
    fraud_approach = forms.ChoiceField(
        label=_("だまされて振り込んだ場合の手口"),
        choices=[("", _("振込の被害はない")), *FraudApproach.choices],
        required=False,
    )
    fraud_approach_note = forms.CharField(label=_("手口の詳細"), max_length=200, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (
            data.get("fraud_approach") == FraudApproach.OTHER
            and not data.get("fraud_approach_note", "").strip()
        ):
            self.add_error("fraud_approach_note", _("「その他」の場合は手口を入力してください。"))
        return data


class SubmitForm(forms.Form):
    """The review step's confirmation."""

    confirmed = forms.BooleanField(
        label=_("お客さまと内容を確認しました"),
        error_messages={"required": _("お客さまと内容を確認のうえ、チェックしてください。")},
    )


def case_initial(case: Case, names) -> dict:
    """Initial values for a step form from the saved case."""
    initial = {name: getattr(case, name) for name in names}
    if initial.get("notified_at"):
        initial["notified_at"] = timezone.localtime(initial["notified_at"])
    return initial
