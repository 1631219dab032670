"""The core's callback for a stop (POST /api/v1/stops/{key}/confirm and /refuse) through a live
server, every answer checked against the served schema: the stop requested through the HTTP
adapter from the core simulator, then answered by the callback, once, whatever is repeated."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from api.models import ApiClient
from api.services import api_client_create
from incidents.cases import services
from incidents.models import CaseAccess, CoreRequest
from incidents.models.choices import ActionStatus, EventKind
from tests.api.world import dumps, headers
from tests.corebanking.conftest import held_stop
from tests.servers import core_banking, core_simulator

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db(transaction=True)


def answer(http, schema, token: str, request, verb: str, body) -> httpx.Response:
    response = http.post(
        f"/api/v1/stops/{request.key}/{verb}", content=dumps(body), headers=headers(token)
    )
    schema.check("POST", response.request.url.path, response.status_code, response.json())
    return response


def test_the_cores_confirmation_by_callback_makes_the_stop_done_once(
    http, world, schema, core_banking, teller
):
    case, action, request = held_stop(core_banking, teller, "hold")
    token = world.tokens["stops"]
    body = {"reference": "CB-CALLBACK-1", "confirmed_at": "2026-11-30T01:02:03+09:00"}
    first = answer(http, schema, token, request, "confirm", body)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "done" and first.json()["request_state"] == "confirmed"
    assert first.json()["reference"] == "CB-CALLBACK-1" and first.json()["stop"] == action.pk
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.reference == "CB-CALLBACK-1"
    assert action.performed_at.isoformat() == "2026-11-29T16:02:03+00:00"
    case.refresh_from_db()
    version = case.version

    # The core sends it again (a lost answer), even with another reference: the same state back.
    again = answer(http, schema, token, request, "confirm", {"reference": "CB-CALLBACK-2"})
    assert again.status_code == 200 and again.json() == first.json()
    # A refusal after it is a conflict, in words; the stop stands.
    late = answer(http, schema, token, request, "refuse", {"code": "refused", "reason": "遅延"})
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "この停止依頼は確認済みとして記録されています。拒否には変更できません。"
    )
    case.refresh_from_db()
    action.refresh_from_db()
    assert case.version == version and action.status == ActionStatus.DONE
    assert case.events.filter(kind=EventKind.STOP_DONE).count() == 1
    assert not case.events.filter(kind=EventKind.STOP_FAILED).exists()
    # The simulator made one stop under the key; the callback made none of its own.
    assert core_banking.stats()["stops"] == {str(request.key): 1}
    client = ApiClient.objects.get(token_prefix=token[:12])
    views = sorted(CaseAccess.objects.filter(user=client.user, case=case).values_list("view"))
    assert views == [("api:stop_confirm",)] * 2 + [("api:stop_refuse",)]


def test_the_cores_refusal_by_callback_fails_the_stop_with_its_reason_shown(
    http, world, schema, core_banking, teller, teller_client
):
    case, action, request = held_stop(core_banking, teller, "accept")
    token = world.tokens["stops"]
    body = {"code": "unknown_account", "reason": "口座が解約済みです"}
    first = answer(http, schema, token, request, "refuse", body)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "failed" and first.json()["request_state"] == "failed"
    assert first.json()["failure_code"] == "unknown_account"
    again = answer(http, schema, token, request, "refuse", body)
    assert again.status_code == 200 and again.json() == first.json()
    late = answer(http, schema, token, request, "confirm", {"reference": "CB-LATE"})
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "この停止依頼は拒否として記録されています。確認には変更できません。"
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.FAILED and action.reference == ""
    assert case.events.filter(kind=EventKind.STOP_FAILED).count() == 1
    assert not case.events.filter(kind=EventKind.STOP_DONE).exists()
    page = teller_client.get(reverse("incidents:case_stops", args=[case.pk])).content.decode()
    assert 'data-testid="stop-failure"' in page and "口座が解約済みです" in page
    # The request is closed: the outbox does not ask the core about it any more.
    assert services.core_request_send(request_id=request.pk) == "skipped"


def test_a_bad_callback_is_refused_per_field_in_japanese_and_an_unknown_key_is_404(
    http, world, schema, core_banking, teller
):
    _case, action, request = held_stop(core_banking, teller, "hold")
    token = world.tokens["stops"]
    missing = answer(http, schema, token, request, "confirm", {"confirmed_at": "昨日"})
    assert missing.status_code == 400
    assert missing.json() == {
        "reference": ["この項目は必須です。"],
        "confirmed_at": ["日時はISO 8601形式（例: 2026-11-30T16:21:19+09:00）で入力してください。"],
    }
    ancient = answer(
        http,
        schema,
        token,
        request,
        "confirm",
        {"reference": "CB-1", "confirmed_at": "0001-01-01T00:00:00+09:00"},
    )
    assert ancient.status_code == 400 and list(ancient.json()) == ["confirmed_at"]
    no_code = answer(http, schema, token, request, "refuse", {"code": "", "reason": ["x"]})
    assert no_code.status_code == 400 and set(no_code.json()) == {"code", "reason"}
    action.refresh_from_db()
    assert action.status == ActionStatus.REQUESTED  # nothing of it was recorded
    for key in ("00000000-0000-0000-0000-000000000000", "not-a-key"):
        unknown = http.post(
            f"/api/v1/stops/{key}/confirm",
            content=dumps({"reference": "x"}),
            headers=headers(token),
        )
        assert unknown.status_code == 404 and "detail" in unknown.json()


def test_the_cores_callback_answers_a_freeze_case_within_the_clients_branches(
    http, world, schema, core_banking, supervisor, teller, other_branch
):
    from compensation.choices import FreezeEventKind, FreezeStatus
    from compensation.services import policy_version_default_ensure
    from tests.freezes.conftest import transfer
    from tests.freezes.support import MULE_KEY, FreezeDesk, fresh

    policy_version_default_ensure()
    transfer(teller, "910001", amount=300_000)
    transfer(teller, "910002", amount=200_000)
    core_banking.mode("hold")
    freeze = FreezeDesk(supervisor, MULE_KEY).open()
    request = CoreRequest.objects.get(freeze_case=freeze)
    assert services.core_request_send(request_id=request.pk) == "accepted"
    # A client of another branch does not reach the freeze case: an unknown key to it.
    _client, elsewhere = api_client_create(
        name="other branch stops", scopes=["stops"], branches=[other_branch]
    )
    body = {"reference": "CB-FREEZE-1"}
    assert answer(http, schema, elsewhere, request, "confirm", body).status_code == 404
    assert fresh(freeze).status == FreezeStatus.REQUESTED
    first = answer(http, schema, world.tokens["stops"], request, "confirm", body)
    assert first.status_code == 200, first.text
    document = first.json()
    assert (document["owner"], document["freeze_case"], document["case"]) == (
        "freeze_case",
        freeze.pk,
        None,
    )
    assert (document["status"], document["reference"]) == ("frozen", "CB-FREEZE-1")
    again = answer(http, schema, world.tokens["stops"], request, "confirm", body)
    assert again.status_code == 200 and again.json() == document
    late = answer(http, schema, world.tokens["stops"], request, "refuse", {"code": "refused"})
    assert late.status_code == 409
    freeze = fresh(freeze)
    assert (freeze.status, freeze.stop_reference) == (FreezeStatus.FROZEN, "CB-FREEZE-1")
    assert freeze.events.filter(kind=FreezeEventKind.FROZEN).count() == 1


def test_the_cores_callback_refuses_a_victims_freeze_request_with_its_reason(
    http, world, schema, core_banking, teller
):
    from incidents.models import FreezeRequest
    from tests import factories

    core_banking.mode("hold")
    case = factories.transfer_fraud_case(teller, submit=False)
    freeze = factories.freeze_request_to_our_bank(case, teller)
    request = CoreRequest.objects.get(freeze_request=freeze)
    assert services.core_request_send(request_id=request.pk) == "accepted"
    body = {"code": "unknown_account", "reason": "口座が解約済みです"}
    first = answer(http, schema, world.tokens["stops"], request, "refuse", body)
    assert first.status_code == 200, first.text
    document = first.json()
    assert (document["owner"], document["freeze_request"], document["case"]) == (
        "freeze_request",
        freeze.pk,
        case.pk,
    )
    assert (document["status"], document["failure_code"]) == ("refused", "unknown_account")
    assert answer(http, schema, world.tokens["stops"], request, "refuse", body).json() == document
    freeze = FreezeRequest.objects.get(pk=freeze.pk)
    assert (freeze.answer, freeze.answer_note) == ("refused", "勘定系：口座が解約済みです")
    assert case.events.filter(kind=EventKind.FREEZE_ANSWERED).count() == 1
