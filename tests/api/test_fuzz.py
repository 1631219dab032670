"""Fuzzing every endpoint of the API (hypothesis, 1,000 examples each, in-process): whatever
arrives — wrong shapes, hostile values, broken JSON, odd headers — no answer is a 5xx, every
refusal is JSON, and an answer with a body documented in the served schema fits it."""

from __future__ import annotations

import json
import os

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.schema import ServedSchema
from tests.api.world import ASSESS_FACTS, ApiWorld, build_api_world, call, requested_stop
from tests.fuzz.strategies import DATE_EDGES, JSON_ANY, MALFORMED_BODIES, NUMBER, SPECIAL, TEXT

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("MAMORI_API_FUZZ_EXAMPLES", "1000"))
CALL = call()
KEYS = st.one_of(st.none(), st.just("fixed-key"), st.text(max_size=250), st.uuids().map(str))
CALLERS = st.sampled_from(["all", "preliminary", "cases", "assess", "stops", "revoked", None])
# The project's hostile values, with one long string rather than many (their making, not the
# API, would take the time).
LONG = st.sampled_from(["あ" * 5000, "9" * 400, "\x00" * 300])
HOSTILE = st.one_of(SPECIAL, DATE_EDGES, TEXT, NUMBER, LONG, JSON_ANY, st.integers(-(2**80), 2**80))


@st.composite
def mutated(draw, base: dict) -> bytes:
    """The valid document with fields replaced by hostile values, dropped or added, nested too."""
    document = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(0, 4))):
        target = document
        if (
            "items" in document
            and isinstance(document["items"], list)
            and document["items"]
            and draw(st.booleans())
        ):
            target = document["items"][0] if isinstance(document["items"][0], dict) else document
        if (
            "transactions" in document
            and isinstance(document["transactions"], list)
            and document["transactions"]
            and draw(st.booleans())
        ):
            target = (
                document["transactions"][0]
                if isinstance(document["transactions"][0], dict)
                else document
            )
        names = sorted(target) or ["x"]
        name = draw(st.one_of(st.sampled_from(names), TEXT))
        if draw(st.integers(0, 4)) == 0:
            target.pop(name, None)
        else:
            target[name] = draw(HOSTILE)
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def bodies(base: dict) -> st.SearchStrategy[tuple[str, bytes]]:
    return st.one_of(
        mutated(base).map(lambda body: ("application/json", body)),
        mutated(base).map(lambda body: ("application/json", body)),
        JSON_ANY.map(lambda value: ("application/json", json.dumps(value).encode())),
        MALFORMED_BODIES,
    )


@pytest.fixture
def fuzz_world(branch, other_branch) -> ApiWorld:
    return build_api_world(branch, other_branch)


@pytest.fixture
def served() -> ServedSchema:
    return ServedSchema(Client().get("/api/v1/schema/?format=json").json())


def check(served: ServedSchema, method: str, path: str, response) -> None:
    where = f"{method} {path} → {response.status_code}"
    assert response.status_code < 500, where
    if response.status_code == 404 and not path.startswith("/api/v1/cases/"):
        return
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)
        try:
            served.operation(method, path)
        except AssertionError:
            return  # a path the resolver refused (not an operation of the schema)
        if response.status_code in (404, 405, 415):
            assert "detail" in body, where
            return
        served.check(method, path, response.status_code, body)
    else:
        # Only the resolver's 404 page for a path that is no endpoint (a body Django itself
        # cannot read is a JSON 400 through the whole stack: test_matrix checks it).
        assert response.status_code in (400, 404), where


def run(send, examples: int = EXAMPLES) -> None:
    # Each example in a savepoint of its own, rolled back: the world stays as built.
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
    )
    @given(data=st.data())
    def example(data):
        with transaction.atomic():
            send(data)
            transaction.set_rollback(True)

    example()


class Direct:
    """The endpoint's view called straight from its URL (DRF's whole stack: authentication,
    throttle, parsing, the exception handler), without the staff pages' middleware, which the
    API does not rely on and which would take most of the time of 4,000 requests."""

    factory = RequestFactory()

    def generic(self, method, path, body=b"", content_type="application/octet-stream", **extra):
        return self._call(
            path, self.factory.generic(method, path, body, content_type=content_type, **extra)
        )

    def get(self, path, query=None, **extra):
        return self._call(path, self.factory.get(path, query or {}, **extra))

    def _call(self, path, request):
        from django.http import HttpResponseNotFound

        try:
            match = resolve(path)
        except Resolver404:
            return HttpResponseNotFound("not found", content_type="text/html")
        response = match.func(request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response.render()
        return response


def auth(world: ApiWorld, caller: str | None) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[caller]}"} if caller else {}


def test_no_call_to_preliminary_cases_gets_a_server_error(fuzz_world, served):
    client = Direct()

    def send(data):
        content_type, body = data.draw(bodies(CALL))
        key = data.draw(KEYS)
        extra = auth(fuzz_world, data.draw(CALLERS))
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        response = client.generic(
            "POST", "/api/v1/preliminary-cases/", body, content_type=content_type, **extra
        )
        check(served, "POST", "/api/v1/preliminary-cases/", response)

    run(send)


def test_no_call_to_assess_gets_a_server_error(fuzz_world, served):
    client = Direct()

    def send(data):
        content_type, body = data.draw(bodies(ASSESS_FACTS))
        extra = auth(fuzz_world, data.draw(CALLERS))
        response = client.generic(
            "POST", "/api/v1/assess/", body, content_type=content_type, **extra
        )
        check(served, "POST", "/api/v1/assess/", response)

    run(send)


def test_no_case_id_gets_a_server_error(fuzz_world, served):
    client = Direct()
    ids = st.one_of(
        st.integers(0, 2**80).map(str),
        st.sampled_from([str(fuzz_world.case.pk), str(fuzz_world.other_case.pk)]),
        TEXT.filter(lambda t: "/" not in t and "?" not in t and "#" not in t),
    )

    def send(data):
        path = f"/api/v1/cases/{data.draw(ids)}/"
        response = client.get(path, **auth(fuzz_world, data.draw(CALLERS)))
        check(served, "GET", path, response)

    run(send)


def test_no_query_of_changes_gets_a_server_error(fuzz_world, served):
    client = Direct()
    values = st.one_of(
        st.none(),
        TEXT,
        st.integers(-(2**70), 2**70).map(str),
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=",
            max_size=60,
        ),
    )

    def send(data):
        query = {
            name: value
            for name in ("cursor", "limit", "x")
            if (value := data.draw(values)) is not None
        }
        response = client.get(
            "/api/v1/cases/changes/", query, **auth(fuzz_world, data.draw(CALLERS))
        )
        check(served, "GET", "/api/v1/cases/changes/", response)

    run(send)


STOP_ANSWERS = {
    "confirm": {"reference": "CB-FUZZ-1", "confirmed_at": "2026-11-30T16:21:19+09:00"},
    "refuse": {"code": "unknown_account", "reason": "口座が見つかりません"},
}


@pytest.mark.parametrize("verb", sorted(STOP_ANSWERS))
def test_no_callback_of_the_core_gets_a_server_error(fuzz_world, served, verb):
    client = Direct()
    # A stop in flight at each branch (each example is rolled back: it stays in flight).
    known = [str(requested_stop(case).key) for case in (fuzz_world.case, fuzz_world.other_case)]
    keys = st.one_of(
        st.sampled_from(known),
        st.uuids().map(str),
        TEXT.filter(lambda t: t and "/" not in t and "?" not in t and "#" not in t),
    )

    def send(data):
        path = f"/api/v1/stops/{data.draw(keys)}/{verb}"
        content_type, body = data.draw(bodies(STOP_ANSWERS[verb]))
        extra = auth(fuzz_world, data.draw(CALLERS))
        response = client.generic("POST", path, body, content_type=content_type, **extra)
        check(served, "POST", path, response)

    run(send)


def test_through_every_middleware_no_call_to_any_endpoint_gets_a_server_error(fuzz_world, served):
    """The tests above call the views straight; here a fifth as many calls go through the whole
    stack (the access log of API calls, the refusals' log, the body-size guard, sessions…), so a
    hostile value that breaks a middleware is found too."""
    client = Client()
    known = [str(requested_stop(case).key) for case in (fuzz_world.case, fuzz_world.other_case)]
    targets = st.sampled_from(["preliminary", "assess", "case", "changes", "confirm", "refuse"])
    case_ids = st.one_of(
        st.sampled_from([str(fuzz_world.case.pk), str(fuzz_world.other_case.pk)]),
        st.integers(0, 2**80).map(str),
        TEXT.filter(lambda t: t and "/" not in t and "?" not in t and "#" not in t),
    )
    stop_keys = st.one_of(st.sampled_from(known), st.uuids().map(str))

    def send(data):
        target = data.draw(targets)
        extra = auth(fuzz_world, data.draw(CALLERS))
        if target in ("case", "changes"):
            if target == "case":
                path, query = f"/api/v1/cases/{data.draw(case_ids)}/", {}
            else:
                path = "/api/v1/cases/changes/"
                query = {"cursor": data.draw(TEXT), "limit": data.draw(TEXT)}
            check(served, "GET", path, client.get(path, query, **extra))
            return
        if target == "preliminary":
            path, base = "/api/v1/preliminary-cases/", CALL
            key = data.draw(KEYS)
            if key is not None:
                extra["HTTP_IDEMPOTENCY_KEY"] = key
        elif target == "assess":
            path, base = "/api/v1/assess/", ASSESS_FACTS
        else:
            path, base = f"/api/v1/stops/{data.draw(stop_keys)}/{target}", STOP_ANSWERS[target]
        content_type, body = data.draw(bodies(base))
        response = client.generic("POST", path, body, content_type=content_type, **extra)
        check(served, "POST", path, response)

    run(send, examples=max(EXAMPLES // 5, 20))
