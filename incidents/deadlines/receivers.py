"""Reactions of the deadlines to the case's signals (connected in IncidentsConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from incidents import deadlines
from incidents.cases.signals import (
    case_changed,
    case_status_changed,
    case_submitted,
    remedy_changed,
)
from incidents.deadlines.remedy import deadlines_on_remedy_changed, remedy_notify_flagged


@receiver(case_submitted, dispatch_uid="incidents.deadlines.case_submitted")
def open_deadlines_when_submitted(sender, case, user=None, **kwargs) -> None:
    """A report or an after-hours call was taken: open its follow-ups."""
    deadlines.deadlines_on_case_submitted(case=case, user=user)


@receiver(case_status_changed, dispatch_uid="incidents.deadlines.case_status_changed")
def move_deadlines_with_status(sender, case, user=None, old=None, new=None, **kwargs) -> None:
    """Open, meet or cancel deadlines as the case moves along its life cycle."""
    deadlines.deadlines_on_status_changed(case=case, user=user, old=old, new=new)


@receiver(case_changed, dispatch_uid="incidents.deadlines.case_changed")
def meet_deadlines_when_changed(sender, case, user=None, **kwargs) -> None:
    """A police report recorded after submission meets its deadline."""
    deadlines.deadlines_on_case_changed(case=case, user=user)


@receiver(remedy_changed, dispatch_uid="incidents.deadlines.remedy_changed")
def remedy_deadlines_when_freeze_recorded(sender, case, user=None, **kwargs) -> None:
    """A freeze request or its answer was recorded: follow-up and application deadlines."""
    deadlines_on_remedy_changed(case=case, user=user)


@receiver(case_submitted, dispatch_uid="incidents.deadlines.remedy_on_submitted")
def remedy_deadlines_when_submitted(sender, case, user=None, **kwargs) -> None:
    """Freeze requests recorded during the intake start their deadlines once the case is taken;
    a case flagged by a warning sign is brought to the supervisors."""
    deadlines_on_remedy_changed(case=case, user=user)
    remedy_notify_flagged(case=case)
