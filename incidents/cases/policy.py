"""The compensation policy a case falls under, as the intake needs it (the window's length).

incidents never imports compensation: compensation tells this module how to find the policy in
force on a notification day when it starts (compensation.apps), and the intake's flags ask here,
so the flag shown at the counter and the decision agree whatever version an administrator adds.
Until something registers, the rules engine's own defaults apply.
"""

from __future__ import annotations

from collections.abc import Callable

from compensation.rules import Policy
from incidents.models import Case

PolicyLookup = Callable[[Case], Policy]
_lookup: PolicyLookup | None = None


def policy_lookup_register(lookup: PolicyLookup) -> None:
    """Say how the policy in force for a case is found (the compensation app does)."""
    global _lookup
    _lookup = lookup


def policy_for(case: Case) -> Policy:
    """The policy in force for the case's notification day."""
    return _lookup(case) if _lookup is not None else Policy()
