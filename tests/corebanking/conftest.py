"""A case whose stops are proposed and not yet carried out, for the core-banking tests."""

from __future__ import annotations

from datetime import timedelta

from incidents.cases import services
from incidents.models import Case, ProtectiveAction, User
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
