"""HTML forms as a browser sees them, for the simulated tellers of the load test: each form's
fields with the values the page put in them (hidden CSRF token, edit stamp and key, initial values,
checked boxes, selected options), so a teller fills in only what it types and posts the rest back.

Pure Python (``html.parser``), no Django, no Locust.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VALUE_INPUTS = {"hidden", "text", "date", "datetime-local", "number", "tel", "email", "password"}


class Form:
    """One ``<form>``: its attributes, its fields as a browser would post them, and the choices
    of its radio buttons, checkboxes and selects."""

    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.fields: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = {}
        self.buttons: list[tuple[str, str]] = []

    @property
    def action(self) -> str:
        return self.attrs.get("action", "")

    def names(self) -> set[str]:
        return {name for name, _value in self.fields} | set(self.choices)

    def value(self, name: str) -> str | None:
        for field, value in self.fields:
            if field == name:
                return value
        return None

    def set(self, name: str, value: str) -> None:
        """Type ``value`` into ``name`` (or pick it from a select or radio group)."""
        self.fields = [(field, v) for field, v in self.fields if field != name]
        self.fields.append((name, value))

    def check(self, name: str, value: str) -> None:
        """Tick one more checkbox of ``name``."""
        if (name, value) not in self.fields:
            self.fields.append((name, value))

    def data(self, button: str | None = None) -> list[tuple[str, str]]:
        """What the browser posts when ``button`` (a submit button's name) is clicked."""
        clicked = [(name, value) for name, value in self.buttons if name == button]
        if button is not None and not clicked:
            raise KeyError(f"no button {button!r} in the form")
        return self.fields + clicked[:1]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None
        self.select_value: str | None = None
        self.option: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.current = Form(a)
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or (tag not in ("input", "select", "option", "textarea", "button")):
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields.append((name, a.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, a.get("value", "")))
            elif kind in VALUE_INPUTS:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_value = name, None
            form.choices[name] = []
        elif tag == "option" and self.select is not None:
            value = a.get("value")
            self.option = value if value is not None else ""
            if value is not None:
                self._option(value, "selected" in a)
            self.text = []
        elif tag == "textarea" and name:
            self.textarea, self.text = name, []

    def _option(self, value: str, selected: bool) -> None:
        assert self.current is not None and self.select is not None
        self.current.choices[self.select].append(value)
        if selected or self.select_value is None:
            self.select_value = value

    def handle_data(self, data: str) -> None:
        if self.textarea is not None or self.option is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        form = self.current
        if tag == "form":
            self.current = None
        elif form is None:
            return
        elif tag == "select" and self.select is not None:
            if self.select_value is not None:
                form.fields.append((self.select, self.select_value))
            self.select = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            form.fields.append((self.textarea, "".join(self.text).removeprefix("\n")))
            self.textarea = None


def forms_of(html: str) -> list[Form]:
    """Every form of the page, in document order."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html: str, field: str) -> Form:
    """The page's form that has ``field`` (the step's form, not the language switch or the
    discard button); KeyError when none has it."""
    for form in forms_of(html):
        if field in form.names():
            return form
    raise KeyError(f"no form with {field!r}")


def step_form(html: str) -> Form:
    """The intake step's own form (``data-testid="step-form"``)."""
    for form in forms_of(html):
        if form.attrs.get("data-testid") == "step-form":
            return form
    raise KeyError("no step form on the page")


FIELD_ERROR = re.compile(r'id="error_[^"]*"><strong>([^<]+)</strong>')
ALERT = re.compile(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', re.S)
TAG = re.compile(r"<[^>]+>")


def page_errors(html: str) -> list[str]:
    """The error messages a page shows (a refused form), for the error report."""
    found = [" ".join(TAG.sub(" ", alert).split()) for alert in ALERT.findall(html)]
    found += [error.strip() for error in FIELD_ERROR.findall(html)]
    return [message for message in found if message]
