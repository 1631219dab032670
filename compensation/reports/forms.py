"""Filters of the statistics and the dashboard: everything in the URL, so a report is a link."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compensation.reports.periods import (
    MAX_QUARTERS,
    UNIT_LABELS,
    Period,
    Quarter,
    current_fiscal_year,
)
from incidents.cases.fields import field_of
from incidents.cases.validators import is_ascii_digits
from incidents.models import Branch

YEARS_OFFERED = 10


def quarter_choices(today=None) -> list[tuple[str, str]]:
    """The quarters of the last ten fiscal years, newest first: ("2025Q1", "2025年度 第1四半期")."""
    latest = current_fiscal_year(today or timezone.localdate())
    return [
        (
            str(Quarter(year, number)),
            f"{_('%(year)s年度') % {'year': year}} {Quarter(year, number).label}",
        )
        for year in range(latest, latest - YEARS_OFFERED, -1)
        for number in (1, 2, 3, 4)
    ]


def parse_quarter(value: str) -> Quarter | None:
    """ "2025Q1" → Quarter(2025, 1); None for anything else."""
    year, _sep, number = (value or "").upper().partition("Q")
    if not (is_ascii_digits(year) and number in ("1", "2", "3", "4")):
        return None
    return Quarter(int(year), int(number))


class BranchChoiceField(forms.ModelChoiceField):
    """A branch as its code and name."""

    widget = forms.Select(attrs={"class": "form-select"})

    def label_from_instance(self, obj: Branch) -> str:
        return f"{obj.code} {obj.name}"


class StatisticsFilterForm(forms.Form):
    """The period (whole quarters), the branch (for those who span branches) and the unit."""

    first = forms.ChoiceField(label=_("期間（開始）"))
    last = forms.ChoiceField(label=_("期間（終了）"))
    branch = BranchChoiceField(
        label=_("対象店"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("全店"),
    )
    unit = forms.ChoiceField(
        label=_("金額の単位"), choices=list(UNIT_LABELS.items()), initial="yen", required=False
    )

    def __init__(self, *args, spans_branches: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = quarter_choices()
        field_of(self, "first", forms.ChoiceField).choices = choices
        field_of(self, "last", forms.ChoiceField).choices = choices
        year = current_fiscal_year()
        self.fields["first"].initial = str(Quarter(year, 1))
        self.fields["last"].initial = str(Quarter(year, 4))
        if spans_branches:
            field_of(self, "branch", forms.ModelChoiceField).queryset = Branch.objects.order_by(
                "code"
            )
        else:
            del self.fields["branch"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        first = parse_quarter(cleaned.get("first", ""))
        last = parse_quarter(cleaned.get("last", ""))
        if first and last:
            if last < first:
                raise forms.ValidationError(_("期間の終了は開始より後の四半期を選んでください。"))
            if last.index - first.index >= MAX_QUARTERS:
                raise forms.ValidationError(_("期間は5年度（20四半期）以内で選んでください。"))
            cleaned["period"] = Period(first, last)
        cleaned["unit"] = cleaned.get("unit") or "yen"
        return cleaned

    @classmethod
    def default_data(cls) -> dict[str, str]:
        """This fiscal year, all branches, in yen."""
        year = current_fiscal_year()
        return {"first": str(Quarter(year, 1)), "last": str(Quarter(year, 4)), "unit": "yen"}


class DashboardFilterForm(forms.Form):
    """Which branch the dashboard shows (for those who span branches)."""

    branch = BranchChoiceField(
        label=_("対象店"), queryset=Branch.objects.none(), required=False, empty_label=_("全店")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "branch", forms.ModelChoiceField).queryset = Branch.objects.order_by("code")
