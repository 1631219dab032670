"""The desk's forms: queue filters, assignment, the monitoring center's call."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from incidents.cases.fields import DATE_FORMATS, DATE_WIDGET, MONEY_KINDS, PhoneField, field_of
from incidents.cases.validators import (
    BIGINT_MAX,
    AsciiIntegerField,
    BoundedDateField,
    KatakanaField,
    PlainCharField,
    WidthCharField,
    account_number_field,
    branch_code_field,
    customer_number_field,
    id_field,
    is_ascii_digits,
    validate_not_future,
)
from incidents.models import Branch, User
from incidents.models.choices import (
    STATES_BY_KIND,
    CaseStatus,
    CustomerType,
    ItemKind,
    ItemState,
    ReporterRelation,
)

BLANK = ("", "---------")

STATUS_CHOICES = [
    ("", _("対応中（すべて）")),
    *[(value, label) for value, label in CaseStatus.choices if value != CaseStatus.DRAFT],
    ("all", _("すべて（完了・取下げを含む）")),
]
DUE_CHOICES = [
    ("", _("指定なし")),
    ("overdue", _("期限超過")),
    ("1", _("1日以内に期限")),
    ("3", _("3日以内に期限")),
    ("7", _("7日以内に期限")),
]
SORT_CHOICES = [
    ("-notified_at", _("受付日時の新しい順")),
    ("notified_at", _("受付日時の古い順")),
    ("due", _("期限の近い順")),
    ("number", _("受付番号順")),
]


def _branch_choices(branches: list[Branch]) -> list[tuple]:
    return [("", _("すべての店舗")), *[(b.pk, str(b)) for b in branches]]


class BranchFilterForm(forms.Form):
    """The queue's branch alone, read first: it decides whose names the staff filter offers."""

    branch = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, branches: list[Branch], **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "branch", forms.ChoiceField).choices = _branch_choices(branches)

    def branch_id(self) -> int | None:
        """The chosen branch; None for none, or for one that is not on the list."""
        return self.cleaned_data["branch"] if self.is_valid() else None


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the URL (a GET form, so a view can be bookmarked)."""

    q = PlainCharField(
        label=_("検索"),
        max_length=80,
        required=False,
        help_text=_("受付番号・氏名（漢字・カナ）・顧客番号・口座番号の下桁"),
    )
    status = forms.ChoiceField(label=_("状態"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(
        label=_("届出の種類"), choices=[("", _("すべて")), *ItemKind.choices], required=False
    )
    branch = forms.TypedChoiceField(label=_("店舗"), coerce=int, required=False, empty_value=None)
    assignee = forms.ChoiceField(label=_("担当者"), required=False)
    due = forms.ChoiceField(label=_("期限"), choices=DUE_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("並び順"), choices=SORT_CHOICES, required=False)
    page = AsciiIntegerField(label=_("ページ"), min_value=1, max_value=100_000, required=False)

    def __init__(self, *args, branches: list[Branch], staff: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        if branches:
            field_of(self, "branch", forms.ChoiceField).choices = _branch_choices(branches)
        else:
            del self.fields["branch"]
        field_of(self, "assignee", forms.ChoiceField).choices = [
            ("", _("すべて")),
            ("me", _("自分")),
            ("none", _("未割当")),
            *[(str(pk), name) for pk, name in staff],
        ]

    def filters(self) -> dict:
        """The valid filters; a value that does not fit is dropped, never an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None,)}
        data.setdefault("sort", "-notified_at")
        data["sort"] = data["sort"] or "-notified_at"
        data["page"] = data.get("page") or 1
        return data


class AssignForm(forms.Form):
    """Give one case to a member of its branch; the version guards against a stale page."""

    assignee = forms.ModelChoiceField(
        label=_("担当者"), queryset=User.objects.none(), required=False, empty_label=_("未割当")
    )
    version = AsciiIntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        assignee = field_of(self, "assignee", forms.ModelChoiceField)
        assignee.queryset = User.objects.filter(pk__in=[u.pk for u in staff])
        assignee.choices = [
            ("", _("未割当")),
            *[(u.pk, u.display_name) for u in staff],
        ]


class BulkAssignForm(forms.Form):
    """Give several cases of the list to one member of staff."""

    data: MultiValueDict[str, str]  # the list's POST (empty unbound): the ticked cases are a list

    assignee = forms.ModelChoiceField(
        label=_("担当者"), queryset=User.objects.none(), required=False, empty_label=_("未割当")
    )
    cases = forms.MultipleChoiceField(
        required=True,
        error_messages={
            "required": _("割り当てる事故を選んでください。"),
        },
    )

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "assignee", forms.ModelChoiceField).queryset = User.objects.filter(
            pk__in=[u.pk for u in staff]
        )

    @staticmethod
    def _pair(value: str) -> tuple[int, int] | None:
        """ "12:3" → (12, 3): ASCII digits within a bigint, else None."""
        pk, _sep, version = value.partition(":")
        if not (is_ascii_digits(pk) and is_ascii_digits(version)):
            return None
        if not (1 <= int(pk) <= BIGINT_MAX and int(version) <= BIGINT_MAX):
            return None
        return int(pk), int(version)

    def clean_cases(self) -> list[tuple[int, int]]:
        """Each ticked case as (id, version the list showed)."""
        pairs = [self._pair(value) for value in self.cleaned_data["cases"]]
        valid = [pair for pair in pairs if pair is not None]
        if len(valid) != len(pairs):
            raise forms.ValidationError(_("選択が正しくありません。"), code="invalid")
        return valid

    def requested_ids(self) -> set[int]:
        """The ids of the ticked cases, read leniently (for the scope check before validation)."""
        pairs = (self._pair(value) for value in self.data.getlist("cases"))
        return {pair[0] for pair in pairs if pair is not None}

    def full_clean(self):
        # The choices are whatever was ticked; clean_cases checks their shape.
        field_of(self, "cases", forms.ChoiceField).choices = [
            (v, v) for v in self.data.getlist("cases")
        ]
        super().full_clean()


class PickupForm(forms.Form):
    """The branch takes over an after-hours case."""

    assignee = forms.ModelChoiceField(
        label=_("担当者"), queryset=User.objects.none(), required=False
    )
    version = AsciiIntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, staff: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        field_of(self, "assignee", forms.ModelChoiceField).queryset = User.objects.filter(
            pk__in=[u.pk for u in staff]
        )


class CallForm(forms.Form):
    """The monitoring center's short intake for a phone call (仮受付)."""

    reporter_relation = forms.ChoiceField(
        label=_("電話の方"), choices=ReporterRelation.choices, initial=ReporterRelation.SELF
    )
    reporter_name = forms.CharField(label=_("電話の方の氏名"), max_length=80, required=False)
    reporter_phone = PhoneField(label=_("折返し連絡先"), max_length=20, required=False)
    customer_number = customer_number_field()
    customer_type = forms.ChoiceField(
        label=_("個人・法人"), choices=CustomerType.choices, initial=CustomerType.INDIVIDUAL
    )
    customer_name = WidthCharField(label=_("氏名（漢字）"), max_length=80, required=False)
    customer_name_kana = KatakanaField(label=_("氏名（カナ）"), max_length=80)
    customer_birth_date = BoundedDateField(
        label=_("生年月日"),
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
        validators=[validate_not_future],
    )
    customer_phone = PhoneField(label=_("電話番号"), max_length=20, required=False)
    circumstances_note = forms.CharField(
        label=_("お電話の内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    stop_now = forms.BooleanField(
        label=_("キャッシュカード・通帳・IBの緊急停止をただちに実施する"),
        required=False,
        initial=True,
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("reporter_relation") not in (None, ReporterRelation.SELF) and not data.get(
            "reporter_name"
        ):
            self.add_error(
                "reporter_name",
                _("ご本人以外からのお電話の場合は、電話の方の氏名を入力してください。"),
            )
        return data


class CallItemForm(forms.Form):
    """One item named on the call: what, what happened, which account."""

    kind = forms.ChoiceField(label=_("種類"), choices=[BLANK, *ItemKind.choices], required=False)
    state = forms.ChoiceField(
        label=_("事故の内容"), choices=[BLANK, *ItemState.choices], required=False
    )
    account_branch = branch_code_field(label=_("店番"), required=False)
    account_number = account_number_field(label=_("口座番号"), required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, state = data.get("kind"), data.get("state")
        if not kind:
            if state or data.get("account_number"):
                self.add_error("kind", _("種類を選んでください。"))
            return data
        if not state:
            self.add_error("state", _("事故の内容を選んでください。"))
        elif state not in STATES_BY_KIND.get(kind, ()):
            self.add_error("state", _("この種類には選べない内容です。"))
        if kind in MONEY_KINDS:
            for name in ("account_branch", "account_number"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("口座（店番・口座番号）を入力してください。"))
        return data


class BaseCallItemFormSet(forms.BaseFormSet):
    """The call's items: at least one, and the first account's branch takes the case."""

    def clean(self):
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(
                _("届出の対象（カード・通帳など）を1件以上入力してください。"), code="no_items"
            )
        codes = [row["account_branch"] for row in self.rows() if row.get("account_branch")]
        if not codes:
            raise forms.ValidationError(
                _("口座の店番を1件以上入力してください（引継ぎ先の支店になります）。"),
                code="no_branch",
            )
        if not Branch.objects.filter(code=codes[0]).exists():
            raise forms.ValidationError(
                _("店番 %(code)s の支店が見つかりません。店番を確認してください。")
                % {"code": codes[0]},
                code="unknown_branch",
            )

    def rows(self) -> list[dict]:
        """The filled rows."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.is_valid() and form.cleaned_data.get("kind")
        ]


# formset_factory makes a subclass of ``formset``; its stubs say only BaseFormSet.
CallItemFormSet = cast(
    "type[BaseCallItemFormSet]",
    forms.formset_factory(
        CallItemForm, formset=BaseCallItemFormSet, extra=3, max_num=10, validate_max=True
    ),
)


class AddItemForm(CallItemForm):
    """A further item named on a later call, added to an existing case and stopped (the form's
    stamp, not a field of its own, carries the case's version)."""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("kind") and "kind" not in self.errors:
            self.add_error("kind", _("種類を選んでください。"))
        return data


class ConsoleSearchForm(forms.Form):
    """The monitoring console's search for an existing case."""

    q = PlainCharField(label=_("検索"), max_length=80, required=False)


class PerformForm(forms.Form):
    """Which of the case's stops to carry out now."""

    perform = id_field(
        error_messages={
            "required": _("実施する停止を選んでください。"),
            "invalid": _("実施する停止を選び直してください。"),
            "min_value": _("実施する停止を選び直してください。"),
            "max_value": _("実施する停止を選び直してください。"),
        }
    )


class ManualStopForm(forms.Form):
    """A stop made at the core's terminal: which stop, and the reference the terminal printed."""

    manual = id_field(
        error_messages={
            "required": _("記録する停止を選んでください。"),
            "invalid": _("記録する停止を選び直してください。"),
            "min_value": _("記録する停止を選び直してください。"),
            "max_value": _("記録する停止を選び直してください。"),
        }
    )
    reference = PlainCharField(
        label=_("勘定系端末の受付番号"),
        max_length=40,
        error_messages={"required": _("勘定系端末の受付番号を入力してください。")},
    )
