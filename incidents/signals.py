"""Signals other apps listen to, so that incidents never imports them (dependencies point one way)."""

from django.dispatch import Signal

# Sent inside the submitting transaction, with case and user.
case_submitted = Signal()
# Sent whenever case data that the compensation rules read has changed, with case and user.
case_changed = Signal()
