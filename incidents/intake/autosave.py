"""The intake step on screen, kept as typed before an idle logout."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from incidents.models import (
    Case,
    IntakeAutosave,
    User,
)


def intake_autosave_save(
    *, case: Case | None, user: User, step: str, data: Mapping[str, list[str]]
) -> IntakeAutosave:
    """Keep the raw form data of an intake step on screen (before an idle logout), replacing what
    was kept of that step before; ``case`` None is a new report not yet saved as a draft."""
    lookup = (
        {"case": case, "step": step}
        if case is not None
        else {"case": None, "user": user, "step": step}
    )
    autosave, _created = IntakeAutosave.objects.update_or_create(
        **lookup,
        defaults={"user": user, "data": dict(data), "saved_at": timezone.now()},
    )
    return autosave


def intake_autosave_discard(*, case: Case | None, user: User, step: str | None = None) -> int:
    """Drop what was kept of a step (saved properly now, or discarded by the teller)."""
    kept = (
        IntakeAutosave.objects.filter(case=case)
        if case is not None
        else IntakeAutosave.objects.filter(case__isnull=True, user=user)
    )
    if step is not None:
        kept = kept.filter(step=step)
    return kept.delete()[0]
