"""The API's test world: two branches, cases at each, and clients of every scope."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from api.scopes import Scope
from api.services import api_client_create, api_client_revoke
from incidents.models import Branch, Case, CoreRequest, ProtectiveAction
from incidents.models.choices import ActionStatus
from tests import factories

ASSESS_FACTS: dict[str, Any] = {
    "notified_on": "2026-03-31",
    "items": [{"id": "i1", "kind": "stolen_card", "occurred_on": "2026-02-20"}],
    "checklist": ["pin_memo_with_card"],
    "transactions": [
        {"id": "t1", "item": "i1", "date": "2026-02-28", "amount": 100000, "fee": 220},
        {"id": "t2", "item": "i1", "date": "2026-03-01", "amount": 200000, "fee": 220},
    ],
}


def call(branch_code: str = "001", **changes: Any) -> dict[str, Any]:
    """A valid after-hours call naming a stolen cash card of an account at ``branch_code``."""
    body: dict[str, Any] = {
        "reporter_relation": "self",
        "customer_type": "individual",
        "customer_name": "山田 太郎",
        "customer_name_kana": "ヤマダ タロウ",
        "customer_phone": "090-1234-5678",
        "circumstances_note": "深夜にカードの盗難に気付いた",
        "stop_now": True,
        "items": [
            {
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": branch_code,
                "account_number": "1234567",
            }
        ],
    }
    body.update(changes)
    return body


@dataclass
class ApiWorld:
    branch: Branch
    other_branch: Branch
    case: Case  # a reported case at ``branch``
    other_case: Case  # a reported case at ``other_branch``
    tokens: dict[str, str] = field(default_factory=dict)


def build_api_world(branch: Branch, other_branch: Branch) -> ApiWorld:
    """A reported case at each branch; a client per scope for ``branch`` only, one for every
    branch with every scope, one revoked."""
    teller = factories.staff("w_teller", "teller", branch)
    other_teller = factories.staff("w_teller2", "teller", other_branch)
    world = ApiWorld(
        branch=branch,
        other_branch=other_branch,
        case=factories.stolen_card_case(teller),
        other_case=factories.stolen_card_case(other_teller),
    )
    for scope in Scope.values:
        _client, world.tokens[scope] = api_client_create(
            name=f"only {scope}", scopes=[scope], branches=[branch]
        )
    _client, world.tokens["all"] = api_client_create(
        name="every scope, every branch", scopes=Scope.values, all_branches=True
    )
    revoked, world.tokens["revoked"] = api_client_create(
        name="revoked", scopes=Scope.values, all_branches=True
    )
    api_client_revoke(client=revoked)
    return world


def headers(token: str | None, key: str | None = None) -> dict[str, str]:
    result = {"Content-Type": "application/json"}
    if token is not None:
        result["Authorization"] = f"Bearer {token}"
    if key is not None:
        result["Idempotency-Key"] = key
    return result


def new_key() -> str:
    return str(uuid.uuid4())


def dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def preliminary_count() -> int:
    return Case.objects.filter(status="preliminary").count()


def requested_stop(case: Case) -> CoreRequest:
    """The case's first stop put back in flight at the core (依頼中) with its open request: what
    the core's callback answers."""
    now = timezone.now()
    action = case.actions.order_by("pk").first()
    assert action is not None, "the case has no stop"
    ProtectiveAction.objects.filter(pk=action.pk).update(
        status=ActionStatus.REQUESTED, requested_at=now, reference="", performed_at=None
    )
    return CoreRequest.objects.create(
        action=action, next_attempt_at=None, confirm_by=now + timedelta(minutes=15)
    )
