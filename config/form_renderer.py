"""The form renderer: Django's built-in widget templates for inputs, selects and text areas,
written in Python with the same output.

Every widget Django renders is a template render with an include for its attributes and, in a
select, one more include per option. The intake's row steps show 40 to 60 widgets and selects of
up to thirty options a page, and at a counter's pace with fifty tellers that was a large part of a
step's time. The output is the templates' own, byte for byte (checked against them for every
field of the project's forms in tests/test_form_renderer.py); any other template (radio groups,
files, a widget with its own template) is rendered by the templates as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# Templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
_INPUTS = {
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "tel",
        "search",
        "color",
        "checkbox",
    )
}


def _s(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless already safe."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{_s(value)}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


def _option(option: Mapping[str, Any]) -> str:
    return (
        f'<option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _select(widget: Mapping[str, Any]) -> str | None:
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                return None  # an option with a template of its own: the templates render it all
            # The option's template ends with a line break, which the include keeps.
            out.append(f"\n  {_option(option)}\n")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{value}</textarea>"
    )


_PYTHON: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **dict.fromkeys(_INPUTS, _input),
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}textarea.html": _textarea,
}


class WidgetRenderer(DjangoTemplates):
    """Django's template renderer, with the commonest widgets written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = _PYTHON.get(template_name)
        if write is not None and "widget" in context:
            html = write(context["widget"])
            if html is not None:
                return mark_safe(html)  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request=request)
