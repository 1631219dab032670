"""The form renderer writes inputs, selects and text areas in Python exactly as Django's widget
templates do: every field of every form of the project, blank, bound with awkward values and
with errors, compared with the templates' output byte for byte."""

from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer

from config.form_renderer import WidgetRenderer

PACKAGES = ("incidents", "compensation", "accounts", "notifications", "api", "webhooks")
# Values a browser may post: markup, quotes, a NUL byte, full-width digits, an empty list.
AWKWARD = ["<b>\"x\"</b> & 'y'", "\x00", "１２３", "", "2026-02-30", "9" * 30]


def project_forms() -> list[type[forms.Form]]:
    """Every form class declared in the project's packages that builds without arguments."""
    found: dict[str, Any] = {}
    for package in PACKAGES:
        root = import_module(package)
        names = [package] + [
            info.name
            for info in pkgutil.walk_packages(root.__path__, f"{package}.")
            if "migrations" not in info.name and "rules" not in info.name
        ]
        for name in names:
            with_forms = import_module(name)
            for _attr, value in inspect.getmembers(with_forms, inspect.isclass):
                if (
                    issubclass(value, forms.BaseForm)
                    and value.__module__.startswith(f"{package}.")
                    and getattr(value, "base_fields", None)
                ):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def build(form_class: type[forms.Form], data: dict | None) -> forms.BaseForm | None:
    try:
        return form_class(data)
    except TypeError:  # needs its page's arguments (a case, a user): its fields still count
        return None


def widgets_of(form_class: type[forms.Form], data: dict | None):
    form = build(form_class, data)
    fields = form.fields if form is not None else form_class.base_fields
    for name, field in fields.items():
        value = form[name].value() if form is not None else field.initial
        attrs = {"id": f"id_{name}", "required": field.required, "data-x": '"<>&'}
        yield name, field.widget, value, attrs


@pytest.mark.django_db
@pytest.mark.parametrize("awkward", AWKWARD, ids=range(len(AWKWARD)))
def test_every_widget_of_every_form_is_written_as_djangos_templates_write_it(awkward):
    ours, templates = WidgetRenderer(), DjangoTemplates()
    compared = 0
    kinds = set()
    for form_class in project_forms():
        data = {name: awkward for name in form_class.base_fields}
        for name, widget, value, attrs in widgets_of(form_class, data):
            expected = widget.render(name, value, attrs, renderer=templates)
            assert widget.render(name, value, attrs, renderer=ours) == expected, (form_class, name)
            compared += 1
            kinds.add(type(widget).__name__)
    assert compared > 150
    assert {"TextInput", "Select", "Textarea", "CheckboxInput", "HiddenInput"} <= kinds


@pytest.mark.parametrize(
    "widget, value",
    [
        (forms.Select(choices=[("a", "<A>"), ("b", "B")]), ["b"]),
        (forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]), ["a", "b"]),
        (forms.Select(choices=[("群", [("a", "A")]), ("b", "B")]), "a"),
        (forms.NullBooleanSelect(), True),
        (forms.CheckboxInput(), True),
        (forms.Textarea(), "行1\n<行2>"),
        (forms.DateTimeInput(attrs={"type": "datetime-local"}), "2026-11-30T10:00"),
        (forms.NumberInput(attrs={"min": 0, "step": 1, "disabled": False}), 5),
        (forms.RadioSelect(choices=[("a", "A")]), "a"),  # left to the templates
    ],
)
def test_each_kind_of_widget_matches_the_templates(widget, value):
    expected = widget.render("f", value, {"id": "id_f"}, renderer=DjangoTemplates())
    assert widget.render("f", value, {"id": "id_f"}, renderer=WidgetRenderer()) == expected


def test_the_project_renders_its_forms_with_it():
    assert isinstance(get_default_renderer(), WidgetRenderer)
