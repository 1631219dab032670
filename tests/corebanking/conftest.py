"""A case whose stops are proposed and not yet carried out, for the core-banking tests."""

from __future__ import annotations

from datetime import timedelta

from incidents.cases import services
from incidents.models import Case, CoreRequest, ProtectiveAction, User
from incidents.models.choices import ActionStatus
from tests import factories


def case_with_proposed_stops(teller: User, account: str = "1234567") -> Case:
    """A draft reporting a stolen cash card on 001-``account``: its stops proposed, none made."""
    case = factories.draft(teller)
    day = factories.today() - timedelta(days=1)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": "001",
                "account_number": account,
                "occurred_on": day,
                "noticed_on": day,
            }
        ],
    )
    return case


def card_stop(case: Case) -> ProtectiveAction:
    return case.actions.get(kind="card_suspend")


def held_stop(core_banking, teller: User, mode: str) -> tuple:
    """A card stop asked of the simulator through the HTTP adapter, which accepted it and has
    not confirmed it: the action stays 依頼中 until the core answers."""
    core_banking.mode(mode)
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    services.action_perform(action=action, user=teller)
    request = CoreRequest.objects.get(action=action)
    assert services.core_request_send(request_id=request.pk) == "accepted"
    action.refresh_from_db()
    assert action.status == ActionStatus.REQUESTED
    return case, action, request
