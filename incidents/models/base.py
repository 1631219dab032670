"""The base of the desk's models: choice labels looked up, not rebuilt, for every display."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field) -> dict[Any, Any]:
    # The labels stay lazy here: each is translated when shown, in the reader's language.
    return dict(field.flatchoices)


class DeskModel(models.Model):
    """A model whose ``get_<field>_display()`` finds its label in a dict made once per field.

    Django's own builds that dict at every call, hashing (and so translating) every label of the
    field to show one: on the case page, two hundred translations of labels nobody reads.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value (none of ours): Django's way
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)
