"""The case search for every role (tellers included): by case number, name, customer number,
phone number, birth date or account, within the cases the user may see."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.cases.validators import PlainCharField
from incidents.desk.search_selectors import case_search
from incidents.models import search

KIND_CHOICES = [
    (search.ANY, _("すべての項目")),
    (search.NUMBER, _("受付番号")),
    (search.NAME, _("氏名（漢字・カナ）")),
    (search.CUSTOMER, _("顧客番号")),
    (search.PHONE, _("電話番号")),
    (search.BIRTH, _("生年月日")),
    (search.ACCOUNT, _("口座番号")),
]
# What to type when the key does not fit the kind chosen.
KIND_ERRORS = {
    search.CUSTOMER: _("顧客番号は数字で入力してください。"),
    search.ACCOUNT: _("口座番号は数字で入力してください（店番を付けても構いません）。"),
    search.PHONE: _("電話番号は4桁以上の数字で入力してください（ハイフンは不要です）。"),
    search.BIRTH: _(
        "生年月日は 1980-04-01、1980/4/1、19800401、昭和55年4月1日、S55.4.1 のように"
        "入力してください。"
    ),
}


class CaseSearchForm(forms.Form):
    """What to look for and by which key (a GET form: the search can be bookmarked)."""

    q = PlainCharField(label=_("検索語"), max_length=80, required=False)
    kind = forms.ChoiceField(label=_("検索対象"), choices=KIND_CHOICES, required=False)

    def clean(self):
        data = super().clean() or {}
        kind = data.get("kind") or search.ANY
        data["kind"] = kind
        query = data.get("q") or ""
        data["condition"] = search.kind_filter(kind, query) if query.strip() else None
        if query.strip() and data["condition"] is None:
            self.add_error("q", KIND_ERRORS.get(kind, _("検索語を確かめてください。")))
        return data

    def condition(self) -> Q | None:
        """The filter for a valid search; None for an empty or invalid one."""
        if not self.is_valid():
            return None
        return self.cleaned_data["condition"]


@login_required
@permission_required("incidents.view_case", raise_exception=True)
@require_GET
def case_search_view(request: AuthedRequest) -> HttpResponse:
    """The search page: the form, and the cases the user may see that match."""
    form = CaseSearchForm(request.GET or None)
    condition = form.condition() if form.is_bound else None
    result = case_search(user=request.user, condition=condition) if condition else None
    return render(request, "incidents/search.html", {"form": form, "result": result})
