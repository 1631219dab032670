"""Signals other apps listen to, so that incidents never imports them (dependencies point one way)."""

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.dispatch import Signal

# Sent inside the submitting transaction, with case and user: a draft became reported, or a
# monitoring-center call became preliminary (case.status tells which).
case_submitted = Signal()
# Sent inside the transaction of every life-cycle move, with case, user, old and new.
case_status_changed = Signal()
# Sent whenever case data that the compensation rules read has changed, with case and user.
case_changed = Signal()
# Sent after a freeze request to a receiving bank was recorded or changed, with case and user.
remedy_changed = Signal()

# Sent by every writer of the case timeline (one line or a multi-row insert), inside the writing
# transaction, with ``lines``: a list of ``TimelineLine``. Bulk writers send one signal per batch.
timeline_written = Signal()


class TimelineLine(NamedTuple):
    """One line appended to a case's timeline, as the listeners of ``timeline_written`` see it."""

    case_id: int
    kind: str
    data: Mapping[str, Any]
