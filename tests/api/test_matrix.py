"""The permission matrix of the API: every endpoint × every client scope × own / other branch ×
a revoked token × no token; and the throttle, the query counts, the admin's token shown once."""

from __future__ import annotations

import json

import pytest
from django.core.cache import caches
from django.test import Client

from api.models import ApiClient
from api.scopes import Scope
from incidents.models import Case
from tests import factories
from tests.api.world import ASSESS_FACTS, ApiWorld, call, dumps, new_key, requested_stop

pytestmark = pytest.mark.django_db

# Who calls: a client given one scope for the first branch, one with every scope for every
# branch, a revoked one, and no token at all.
CALLERS = (*Scope.values, "all", "revoked", None)
# The queries of one call (authentication and the client's branches included), measured.
CASE_QUERIES = 14
CHANGES_QUERIES = 7
# A stop callback finds its request's owner (a stop, a freeze request, a freeze case) before the
# owner records the answer: one query more than when stops were the only owner. The confirmation
# moves the case's updated_at without a new version (no edit row): two fewer than a staff edit.
STOP_CONFIRM_QUERIES = 24
STOP_REPEAT_QUERIES = 18


def auth(world: ApiWorld, caller: str | None, **extra: str) -> dict[str, str]:
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in extra.items()}
    if caller is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[caller]}"
    return headers


def expected(caller: str | None, scope: str, own_branch: bool, allowed: int) -> int:
    if caller in (None, "revoked"):
        return 401
    if caller != "all" and caller != scope:
        return 403
    if caller != "all" and not own_branch:
        return 404 if scope in (Scope.CASES, Scope.STOPS) else 403
    return allowed


def requests(world: ApiWorld):
    """(what, scope, own branch?, status when allowed, method, path, body)."""
    yield (
        "call, own branch",
        Scope.PRELIMINARY,
        True,
        201,
        "post",
        "/api/v1/preliminary-cases/",
        call("001"),
    )
    yield (
        "call, other branch",
        Scope.PRELIMINARY,
        False,
        201,
        "post",
        "/api/v1/preliminary-cases/",
        call("002"),
    )
    yield "case, own branch", Scope.CASES, True, 200, "get", f"/api/v1/cases/{world.case.pk}/", None
    yield (
        "case, other branch",
        Scope.CASES,
        False,
        200,
        "get",
        f"/api/v1/cases/{world.other_case.pk}/",
        None,
    )
    yield "changes", Scope.CASES, True, 200, "get", "/api/v1/cases/changes/", None
    yield "assess", Scope.ASSESS, True, 200, "post", "/api/v1/assess/", ASSESS_FACTS
    # The core's callback: each request answered by its first allowed caller, again (the same
    # answer, 200) by the next.
    cases = {True: world.case, False: world.other_case}
    pairs = {
        own: (requested_stop(case), requested_stop(factories.stolen_card_case(case.created_by)))
        for own, case in cases.items()
    }
    for own, (confirm, refuse) in pairs.items():
        where = "own branch" if own else "other branch"
        yield (
            f"stop confirm, {where}",
            Scope.STOPS,
            own,
            200,
            "post",
            f"/api/v1/stops/{confirm.key}/confirm",
            {"reference": "CB-MATRIX"},
        )
        yield (
            f"stop refuse, {where}",
            Scope.STOPS,
            own,
            200,
            "post",
            f"/api/v1/stops/{refuse.key}/refuse",
            {"code": "refused", "reason": "取引制限中"},
        )


def test_every_endpoint_answers_each_client_only_as_its_scopes_and_branches_allow(world):
    client = Client()
    problems = []
    for what, scope, own, allowed, method, path, body in requests(world):
        for caller in CALLERS:
            before = Case.objects.count()
            extra = auth(
                world, caller, **({"Idempotency-Key": new_key()} if method == "post" else {})
            )
            if method == "post":
                response = client.post(path, dumps(body), content_type="application/json", **extra)
            else:
                response = client.get(path, **extra)
            want = expected(caller, scope, own, allowed)
            if response.status_code != want:
                problems.append(f"{what} as {caller}: {response.status_code}, not {want}")
            created = Case.objects.count() - before
            if created != (1 if want == 201 else 0):
                problems.append(f"{what} as {caller}: created {created} cases")
            if response.status_code == 200 and "/stops/" in path:
                state = response.json()["status"]
                if state != ("done" if path.endswith("/confirm") else "failed"):
                    problems.append(f"{what} as {caller}: the stop is {state}")
            if response.status_code == 200 and path.endswith("/changes/"):
                branches = {row["branch"] for row in response.json()["results"]}
                if caller != "all" and branches != {"001"}:
                    problems.append(f"{what} as {caller}: saw branches {branches}")
    assert problems == []


def test_the_schema_is_served_to_anyone_and_staff_sessions_get_nothing_of_the_api(
    world, teller_client
):
    assert Client().get("/api/v1/schema/?format=json").status_code == 200
    response = teller_client.get(f"/api/v1/cases/{world.case.pk}/")
    assert response.status_code == 401  # a session is not a token


def test_every_operation_and_every_object_of_the_served_schema_is_described():
    document = Client().get("/api/v1/schema/?format=json").json()
    undescribed = [
        name
        for name, component in document["components"]["schemas"].items()
        if component.get("type") == "object" and not component.get("description")
    ]
    undescribed += [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if not (operation.get("description") or operation.get("summary"))
    ]
    assert undescribed == []


def test_a_client_is_throttled_after_its_rate(world, settings):
    settings.MAMORI_API_RATE = "3/min"
    client = ApiClient.objects.get(name="only cases")
    caches["api"].delete(f"throttle_client_{client.pk}")
    statuses = [
        Client().get(f"/api/v1/cases/{world.case.pk}/", **auth(world, "cases")).status_code
        for _ in range(4)
    ]
    caches["api"].delete(f"throttle_client_{client.pk}")
    assert statuses == [200, 200, 200, 429]


def test_with_the_throttles_redis_unreachable_calls_are_answered_and_still_counted(world, settings):
    """Redis down (a real refused connection) must not stop the monitoring center's calls: the
    process counts the client's calls in its own memory meanwhile."""
    from api.throttling import LOCAL_COUNTS

    settings.CACHES = {
        **settings.CACHES,
        "api": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    settings.MAMORI_API_RATE = "3/min"
    LOCAL_COUNTS.clear()
    statuses = [
        Client().get(f"/api/v1/cases/{world.case.pk}/", **auth(world, "cases")).status_code
        for _ in range(4)
    ]
    LOCAL_COUNTS.clear()
    assert statuses == [200, 200, 200, 429]


def test_a_case_and_a_page_of_changes_take_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories

    client = Client()

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, **auth(world, "all")).status_code == 200
        return len(captured)

    queries("/api/v1/cases/changes/")  # the client's last use is noted once a minute: not counted
    case_queries = queries(f"/api/v1/cases/{world.case.pk}/")
    changes_queries = queries("/api/v1/cases/changes/?limit=100")
    teller = factories.staff("w_teller3", "teller", world.branch)
    bigger = factories.stolen_card_case(teller, withdrawals=[(1000, 0)] * 12)
    for _ in range(3):
        factories.stolen_card_case(teller)
    # More transactions on a case, more cases in the page: not one query more.
    # Equal to the small case's count measured the same minute, and within the budget: between
    # runs on different hours a case read took 13 or 14 queries (cause not yet found), so the
    # budget is a ceiling, not an exact figure.
    assert queries(f"/api/v1/cases/{bigger.pk}/") == case_queries <= CASE_QUERIES
    assert queries("/api/v1/cases/changes/?limit=100") == changes_queries <= CHANGES_QUERIES


def test_a_stop_callback_takes_a_fixed_number_of_queries_and_its_repeat_fewer(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    request = requested_stop(world.case)
    path = f"/api/v1/stops/{request.key}/confirm"
    client.get("/api/v1/cases/changes/", **auth(world, "stops"))  # last use noted: not counted
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                path,
                dumps({"reference": "CB-Q"}),
                content_type="application/json",
                **auth(world, "stops"),
            )
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts == [STOP_CONFIRM_QUERIES, STOP_REPEAT_QUERIES]


def test_the_admin_shows_a_new_token_once_and_revokes_it(world, administrator, branch):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    admin = Client()
    admin.force_login(administrator)
    response = admin.post(
        "/admin/api/apiclient/add/",
        {
            "name": "電話システム",
            "scopes": ["preliminary"],
            "branches": [branch.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    created = ApiClient.objects.get(name="電話システム")
    token = response.context["token"]
    assert token.startswith(created.token_prefix) and token not in str(
        ApiClient.objects.filter(pk=created.pk).values().get()
    )
    assert list(created.branches.all()) == [branch] and created.user.role == "monitoring"
    page = admin.get(f"/admin/api/apiclient/{created.pk}/change/")
    assert token not in page.content.decode()
    admin.post(
        "/admin/api/apiclient/",
        {"action": "revoke", "_selected_action": [created.pk]},
    )
    created.refresh_from_db()
    assert created.revoked_at is not None and not created.is_active and not created.user.is_active
    refused = Client().get("/api/v1/cases/changes/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert refused.status_code == 401


def test_refused_calls_go_to_the_refused_access_log_under_the_clients_account(world):
    from incidents.models import AccessRefusal

    client = ApiClient.objects.get(name="only cases")
    other = Client().get(f"/api/v1/cases/{world.other_case.pk}/", **auth(world, "cases"))
    scope = Client().post(
        "/api/v1/assess/",
        dumps(ASSESS_FACTS),
        content_type="application/json",
        **auth(world, "cases"),
    )
    assert (other.status_code, scope.status_code) == (404, 403)
    rows = AccessRefusal.objects.filter(user=client.user).order_by("pk")
    assert [(row.status, row.case_id) for row in rows] == [
        (404, world.other_case.pk),
        (403, None),
    ]
    # A stop of another branch: 404 as an unknown key, logged with the case it belongs to.
    stops = ApiClient.objects.get(name="only stops")
    far = requested_stop(world.other_case)
    for key in (far.key, "00000000-0000-0000-0000-000000000000"):
        answered = Client().post(
            f"/api/v1/stops/{key}/confirm",
            dumps({"reference": "CB-X"}),
            content_type="application/json",
            **auth(world, "stops"),
        )
        assert answered.status_code == 404
        assert answered.json() == {"detail": "見つかりませんでした。"}
    rows = AccessRefusal.objects.filter(user=stops.user)
    assert [(row.status, row.case_id) for row in rows] == [(404, world.other_case.pk)]


def test_a_call_of_the_wrong_shape_is_refused_per_field_in_japanese(world):
    response = Client().post(
        "/api/v1/preliminary-cases/",
        json.dumps(call(items=[], customer_name="\ud800", reporter_name=["x"])),  # \ud800 escaped
        content_type="application/json",
        **auth(world, "preliminary", **{"Idempotency-Key": new_key()}),
    )
    errors = response.json()
    assert response.status_code == 400
    assert errors["items"] == {
        "non_field_errors": ["届出の対象（カード・通帳など）を1件以上入力してください。"]
    }
    assert errors["customer_name"] == ["使用できない文字（U+D800）が含まれています。"]
    assert errors["reporter_name"] == ["文字列で入力してください。"]


def test_a_body_django_cannot_read_is_a_json_400_on_every_endpoint(world):
    # A multipart body without its boundary is refused by Django's own parser before the view
    # reads it: an API client still gets JSON, never the staff pages' HTML.
    client = Client()
    for path in ("/api/v1/preliminary-cases/", "/api/v1/assess/", "/api/v1/stops/x/confirm"):
        response = client.post(
            path,
            b"--broken\r\n",
            content_type="multipart/form-data",
            **auth(world, "all", idempotency_key="k-broken"),
        )
        assert response.status_code == 400, path
        assert response["Content-Type"].startswith("application/json"), path
        assert response.json(), path
