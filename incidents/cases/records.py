"""The access log's name for a look at a record kept beside the cases (a freeze case, a call of
an API client), in the reader's language.

The row keeps the name in the bank's words (``CaseAccess.record``: what was written stays
written); whoever writes a kind of record registers, by the view's prefix, how to say it again
in the active language, so that the writer's format and its reading live in one place. A row no
one registered for is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable

from incidents.models import CaseAccess

# The name in the active language, or None to show the row as written.
RecordLabel = Callable[[CaseAccess], str | None]
_labels: dict[str, RecordLabel] = {}


def access_record_label_register(*, view_prefix: str, label: RecordLabel) -> None:
    """Say how the access log names the rows whose view starts with ``view_prefix``."""
    _labels[view_prefix] = label


def access_record_label(row: CaseAccess) -> str:
    """The row's record in the active language (as written when no writer says otherwise)."""
    for prefix, label in _labels.items():
        if row.view.startswith(prefix):
            said = label(row)
            if said:
                return said
    return row.record
