"""The hidden fields every form that changes a case carries (incidents.cases.edits)."""

from django import template
from django.utils.html import format_html

from incidents.cases.channels import is_transfer
from incidents.cases.edits import KEY_FIELD, VERSION_FIELD, new_edit_key

register = template.Library()


@register.simple_tag
def edit_stamp(version) -> str:
    """The case's version this form is rendered from, and a key made for this one rendering."""
    return format_html(
        '<input type="hidden" name="{}" value="{}"><input type="hidden" name="{}" value="{}">',
        VERSION_FIELD,
        version if version is not None else "",
        KEY_FIELD,
        new_edit_key(),
    )


@register.simple_tag
def edit_key() -> str:
    """Only the rendering's key, for a form over several cases that each carry their version."""
    return format_html('<input type="hidden" name="{}" value="{}">', KEY_FIELD, new_edit_key())


@register.filter
def transfer(channel: str) -> bool:
    """Whether a transaction of this channel is a transfer (only it names a payee, a recovery)."""
    return is_transfer(channel)
