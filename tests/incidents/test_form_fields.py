"""``bs_field`` writes a field exactly as crispy-forms' Bootstrap 5 pack does, for every field of
the intake's forms, blank and with errors: the pages keep their markup while the row steps stop
paying a template per field."""

from __future__ import annotations

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms

from incidents.intake import forms as intake
from incidents.templatetags.form_fields import bs_field, bs_form

QUESTIONS = {"card": [("card_written_pin", "x")], "passbook": [], "online_banking": []}


def forms_of(data: dict | None) -> list[forms.Form]:
    """Fresh instances of every intake form (crispy adds classes to the widgets it renders)."""
    return [
        intake.ReporterForm(data),
        intake.CustomerForm(data),
        intake.ItemForm(data),
        intake.StopForm(data),
        intake.TransactionForm(data),
        intake.PoliceForm(data),
        intake.ChecklistForm(data, questions=QUESTIONS),
        intake.FraudForm(data),
        intake.SubmitForm(data),
        *(row(formset, data) for formset in (intake.item_formset, intake.transaction_formset)),
    ]


def row(formset, data: dict | None) -> forms.Form:
    """The first row of a formset as the row steps show it: prefixed, with its delete box."""
    if data is not None:
        data = {"r-TOTAL_FORMS": "1", "r-INITIAL_FORMS": "0"} | {
            f"r-0-{name}": value for name, value in data.items()
        }
    return formset(extra=1)(data, prefix="r").forms[0]


def tidy(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html)))).strip()


# Garbage in every kind of field: errors on the required, the dates, the numbers and the choices.
BAD = {
    "notified_at": "x",
    "occurred_at": "x",
    "amount": "-1",
    "kind": "nonsense",
    "customer_number": "x" * 200,
    "police_filed_on": "0001-01-01",
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, BAD], ids=["blank", "with errors"])
def test_every_intake_field_is_written_as_crispy_writes_it(data):
    ours, theirs = forms_of(data), forms_of(data)
    compared = errors = 0
    for mine, crispy in zip(ours, theirs, strict=True):
        for name in mine.fields:
            assert tidy(bs_field(mine[name])) == tidy(as_crispy_field(crispy[name])), name
            compared += 1
            errors += bool(mine[name].errors)
    assert compared > 75
    assert (errors > 5) == (data is not None)


@pytest.mark.django_db
def test_a_checkbox_a_select_and_a_text_field_carry_bootstraps_classes():
    form = row(intake.transaction_formset, {"amount": "abc"})
    assert 'class="checkboxinput form-check-input"' in bs_field(form["DELETE"])
    assert "form-select" in bs_field(form["channel"])
    amount = bs_field(form["amount"])
    assert "is-invalid" in amount and 'class="invalid-feedback"' in amount


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, BAD], ids=["blank", "with errors"])
def test_a_whole_form_is_written_as_crispy_writes_it(data):
    for mine, crispy in zip(forms_of(data), forms_of(data), strict=True):
        assert tidy(bs_form(mine)) == tidy(as_crispy_form(crispy)), type(mine).__name__


@pytest.mark.django_db
def test_a_forms_own_errors_stand_above_its_fields():
    form = intake.ReporterForm({})
    form.is_valid()
    form.add_error(None, "二重の届出です")
    html = bs_form(form)
    assert html.index("alert-danger") < html.index("二重の届出です") < html.index('id="div_id_')
