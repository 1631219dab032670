"""The monitoring center's call form, run on a JSON call: the API validates exactly as the page does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from incidents.desk.forms import CallForm, CallItemFormSet
from incidents.desk.monitoring import CALL_FIELDS

ITEM_FIELDS = ("kind", "state", "account_branch", "account_number")


@dataclass
class CallInput:
    """A call that passed the form: the case's fields, its item rows, whether to stop now."""

    fields: dict[str, Any]
    items: list[dict[str, Any]]
    stop_now: bool
    branch_code: str


def _form_data(call: dict[str, Any]) -> dict[str, Any]:
    """The POST the console's page would send for this call."""
    data: dict[str, Any] = {name: call.get(name, "") for name in CALL_FIELDS}
    data["reporter_relation"] = call.get("reporter_relation", "")
    data["customer_type"] = call.get("customer_type", "")
    if call.get("stop_now", True):
        data["stop_now"] = "on"
    items = call.get("items", [])
    data.update(
        {
            "items-TOTAL_FORMS": str(len(items)),
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "10",
        }
    )
    for index, item in enumerate(items):
        for name in ITEM_FIELDS:
            data[f"items-{index}-{name}"] = item.get(name, "")
    return data


def call_validate(call: dict[str, Any]) -> tuple[CallInput | None, dict[str, Any]]:
    """Run the call form and its item formset; the input, or the errors per field (items: a list
    of each row's errors, in the order sent)."""
    data = _form_data(call)
    form = CallForm(data)
    items = CallItemFormSet(data, prefix="items")
    form_ok, items_ok = form.is_valid(), items.is_valid()
    if form_ok and items_ok:
        rows = items.rows()
        code = next(row["account_branch"] for row in rows if row.get("account_branch"))
        return (
            CallInput(
                fields={name: form.cleaned_data[name] for name in CALL_FIELDS},
                items=rows,
                stop_now=form.cleaned_data["stop_now"],
                branch_code=code,
            ),
            {},
        )
    errors: dict[str, Any] = {name: list(messages) for name, messages in form.errors.items()}
    if "__all__" in errors:
        errors["non_field_errors"] = errors.pop("__all__")
    if any(items.errors):
        errors["items"] = [
            {name: list(messages) for name, messages in row.items()}
            for row in cast("list[dict[str, list[str]]]", items.errors)
        ]
    elif items.non_form_errors():
        errors.setdefault("non_field_errors", []).extend(items.non_form_errors())
    return None, errors
