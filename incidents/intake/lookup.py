"""The customer step's look-up (照会): branch and account typed, the core's record put into the form
for the teller to confirm with the customer. Nothing is saved until the teller saves the step; a
core that is down or slow leaves the form as typed, with a message, and the intake goes on by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.cases.corebanking import CoreBankingUnavailable, CustomerRecord, get_adapter
from incidents.cases.validators import normalize_width
from incidents.intake.forms import CustomerForm

LOOKUP_BUTTON = "lookup"
_BRANCH_RE = re.compile(r"[0-9]{3}")
_ACCOUNT_RE = re.compile(r"[0-9]{7}")


class LookupForm(forms.Form):
    """The account to look the customer up by (店番 3 digits, 口座番号 7 digits)."""

    lookup_branch = forms.CharField(label=gettext_lazy("店番"), max_length=10, required=False)
    lookup_account = forms.CharField(label=gettext_lazy("口座番号"), max_length=20, required=False)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        branch = normalize_width(data.get("lookup_branch", ""))
        account = normalize_width(data.get("lookup_account", "")).replace("-", "")
        if not _BRANCH_RE.fullmatch(branch):
            self.add_error("lookup_branch", _("店番は3桁の数字で入力してください。"))
        if not _ACCOUNT_RE.fullmatch(account):
            self.add_error("lookup_account", _("口座番号は7桁の数字で入力してください。"))
        data["lookup_branch"], data["lookup_account"] = branch, account
        return data


def _record_fields(record: CustomerRecord) -> dict[str, object]:
    fields: dict[str, object] = {
        "customer_name": record.name,
        "customer_name_kana": record.kana,
        "customer_birth_date": record.birth_date,
        "customer_phone": record.phone,
        "customer_postal_code": record.postal_code,
        "customer_address": record.address,
    }
    return {name: value for name, value in fields.items() if value}


def with_lookup(handler: Callable) -> Callable:
    """The customer step's handler, answering the 照会 button itself (and saving nothing)."""

    def step(request, case, data):
        if request.method != "POST" or data is None or LOOKUP_BUTTON not in data:
            context = handler(request, case, data)
            if isinstance(context, dict):
                context.setdefault("lookup_form", LookupForm())
            return context
        lookup = LookupForm(data)
        typed = {name: data.get(name, "") for name in CustomerForm.base_fields}
        if lookup.is_valid():
            try:
                record = get_adapter().lookup_customer(
                    lookup.cleaned_data["lookup_branch"], lookup.cleaned_data["lookup_account"]
                )
            except CoreBankingUnavailable:
                messages.warning(
                    request,
                    _(
                        "勘定系に照会できませんでした（応答がありません）。"
                        "お客さまに伺って入力を続けてください。"
                    ),
                )
            else:
                if record is None:
                    messages.warning(
                        request,
                        _(
                            "この口座は勘定系に見つかりませんでした。店番と口座番号をご確認ください。"
                        ),
                    )
                else:
                    typed.update(_record_fields(record))
                    messages.info(
                        request,
                        _(
                            "勘定系の登録内容を入力しました。お客さまにご確認のうえ、"
                            "保存してください。"
                        ),
                    )
        return {"form": CustomerForm(initial=typed), "lookup_form": lookup}

    return step
