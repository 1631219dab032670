"""``{{ form.field|bs_field }}``: a form field in crispy-forms' Bootstrap 5 markup, built in Python.

crispy's ``as_crispy_field`` renders a template with a dozen nested tags and includes for every
field; the intake's row steps show 40 to 60 fields a page, and at a counter's pace with fifty
tellers that template was most of each step's time. This filter writes the same markup (the same
ids, classes, label, asterisk, errors and help text, so pages, scripts and tests see no difference)
for the plain widgets; radio groups, multiple checkboxes and files, whose markup crispy builds from
several templates, still go through crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.template.defaultfilters import unordered_list
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Left to crispy: their markup is a group of inputs, not one widget.
_CRISPY_ONLY = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput, forms.MultiWidget)


def _widget(field: BoundField, bootstrap: str) -> SafeString:
    """The widget with Bootstrap's class added to its own and to crispy's widget-name class."""
    widget = field.field.widget
    own = widget.attrs.get("class", "")
    name = widget.__class__.__name__.lower()
    classes = own.split()
    if name not in own:
        classes.append(name)
    for css in (*bootstrap.split(), *(["is-invalid"] if field.errors else [])):
        if css not in classes:
            classes.append(css)
    return field.as_widget(attrs={"class": " ".join(classes)})


def _label_text(field: BoundField) -> SafeString:
    star = mark_safe('<span class="asteriskField">*</span>') if field.field.required else ""
    return format_html("{}{}", field.label, star)


def _help_and_errors(field: BoundField) -> SafeString:
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,  # what BoundField.errors gives the list as its field_id
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, field.auto_id, error) for n, error in enumerate(field.errors, 1)),
            ),
        )
    hint = ""
    if field.help_text:
        # crispy marks help text safe; ours is written by us in the forms, never typed by a user.
        hint = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            field.auto_id,
            mark_safe(field.help_text),  # noqa: S308 - the form's own help text
        )
    return format_html("{}{}", errors, hint)


@register.filter
def bs_field(field: BoundField) -> SafeString | str:
    """The field as crispy-forms' Bootstrap 5 pack renders it (label, widget, errors, help)."""
    widget = field.field.widget
    if field.is_hidden:
        return str(field)
    if isinstance(widget, _CRISPY_ONLY):
        return as_crispy_field(field)
    required = " requiredField" if field.field.required else ""
    css = field.css_classes()
    css = f" {css}" if css else ""
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
            '<label for="{}" class="form-check-label{}">{}</label>{}</div></div>',
            field.auto_id,
            css,
            _widget(field, "form-check-input"),
            field.id_for_label,
            required,
            _label_text(field),
            _help_and_errors(field),
        )
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    label = ""
    if field.label:
        label = format_html(
            '<label{} class="form-label{}">{}</label>',
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            required,
            _label_text(field),
        )
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        field.auto_id,
        css,
        label,
        _widget(field, bootstrap),
        _help_and_errors(field),
    )


@register.filter
def bs_form(form: forms.BaseForm) -> SafeString:
    """The whole form as crispy's ``|crispy`` renders it: its own errors, then every field."""
    errors, own = "", form.non_field_errors()
    if own:
        errors = format_html(
            '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
            unordered_list(own, autoescape=True),
        )
    return format_html(
        "{}{}", errors, format_html_join("", "{}", ((bs_field(field),) for field in form))
    )
