"""The API through the real HTTP stack (a live server on loopback), every answer checked against
the schema the app serves."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile

import httpx
import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from api.models import ApiClient
from incidents.models import Case, CaseAccess, ProtectiveAction
from incidents.models.choices import ActionStatus
from tests import factories
from tests.api.schema import ServedSchema
from tests.api.world import ASSESS_FACTS, ApiWorld, call, dumps, headers, new_key

pytestmark = pytest.mark.django_db(transaction=True)


def checked(schema: ServedSchema, response: httpx.Response) -> httpx.Response:
    schema.check(
        response.request.method, response.request.url.path, response.status_code, response.json()
    )
    return response


def test_a_call_opens_one_preliminary_case_with_its_stops_and_a_resend_returns_it(
    http, world, schema
):
    key = new_key()
    token = world.tokens["preliminary"]
    first = checked(
        schema,
        http.post("/api/v1/preliminary-cases/", content=dumps(call()), headers=headers(token, key)),
    )
    assert first.status_code == 201, first.text
    body = first.json()
    case = Case.objects.get(pk=body["id"])
    assert case.status == "preliminary" and case.branch == world.branch and case.after_hours
    assert (
        body["number"] == case.number and first.headers["Location"] == f"/api/v1/cases/{case.pk}/"
    )
    stops = ProtectiveAction.objects.filter(case=case)
    assert stops.exists() and all(stop.status == ActionStatus.DONE for stop in stops)
    assert {s["status"] for s in body["stops"]} == {"done"}
    client = ApiClient.objects.get(token_prefix=token[:12])
    assert case.created_by == client.user  # the client's account is the actor
    assert CaseAccess.objects.filter(case=case, user=client.user, view="api:preliminary").exists()

    again = checked(
        schema,
        http.post("/api/v1/preliminary-cases/", content=dumps(call()), headers=headers(token, key)),
    )
    assert again.status_code == 200 and again.json()["id"] == case.pk
    assert Case.objects.filter(created_by=client.user).count() == 1
    assert ProtectiveAction.objects.filter(case=case).count() == stops.count()


def test_bad_calls_get_the_forms_messages_per_field_in_japanese(http, world, schema):
    token = world.tokens["preliminary"]
    bad = call(
        customer_name_kana="yamada",
        customer_birth_date="0001-01-01",
        reporter_relation="family",
        items=[
            {
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": "１２",
                "account_number": "x",
            }
        ],
    )
    response = checked(
        schema,
        http.post(
            "/api/v1/preliminary-cases/", content=dumps(bad), headers=headers(token, new_key())
        ),
    )
    assert response.status_code == 400
    errors = response.json()
    assert {"customer_name_kana", "customer_birth_date", "reporter_name"} <= set(errors)
    assert "カナ" in " ".join(errors["customer_name_kana"])
    assert {"account_branch", "account_number"} <= set(errors["items"][0])
    assert not Case.objects.filter(status="preliminary").exists()

    missing = checked(
        schema,
        http.post("/api/v1/preliminary-cases/", content=dumps(call()), headers=headers(token)),
    )
    assert missing.status_code == 400 and "idempotency_key" in missing.json()
    broken = http.post(
        "/api/v1/preliminary-cases/", content=b'{"items": [', headers=headers(token, new_key())
    )
    assert broken.status_code == 400 and "JSON" in broken.json()["detail"]


def test_a_case_reads_with_its_stops_deadlines_and_assessment_and_no_customer_data(
    http, world, schema
):
    token = world.tokens["cases"]
    response = checked(schema, http.get(f"/api/v1/cases/{world.case.pk}/", headers=headers(token)))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == world.case.status and body["branch"] == "001"
    assert body["assessment"]["claimed_total"] == 200000 + 220 + 300000 + 220
    assert body["deadlines"] and body["stops"]
    assert "山田" not in response.text and "1234567" not in response.text
    client = ApiClient.objects.get(token_prefix=token[:12])
    assert (
        CaseAccess.objects.filter(case=world.case, user=client.user, view="api:case").count() == 1
    )

    elsewhere = checked(
        schema, http.get(f"/api/v1/cases/{world.other_case.pk}/", headers=headers(token))
    )
    assert elsewhere.status_code == 404


def test_changes_come_a_page_at_a_time_in_a_stable_order_from_an_opaque_cursor(
    http: httpx.Client, world: ApiWorld, schema: ServedSchema
) -> None:
    token = world.tokens["all"]
    seen: list[int] = []
    cursor = None
    for _page in range(5):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = checked(
            schema, http.get("/api/v1/cases/changes/", params=params, headers=headers(token))
        )
        assert page.status_code == 200
        body = page.json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next_cursor"]
        if not body["has_more"]:
            break
    # Oldest change first: the first branch's case was written before the other's.
    assert seen == [world.case.pk, world.other_case.pk]
    # Nothing changed since the last cursor: an empty page, the same cursor to come back with.
    after = checked(
        schema,
        http.get("/api/v1/cases/changes/", params={"cursor": cursor}, headers=headers(token)),
    )
    assert after.json()["results"] == [] and after.json()["next_cursor"] == cursor
    # A case written again comes again, after the cursor.
    Case.objects.get(pk=world.case.pk).save(update_fields=["updated_at"])
    again = checked(
        schema,
        http.get("/api/v1/cases/changes/", params={"cursor": cursor}, headers=headers(token)),
    )
    assert [row["id"] for row in again.json()["results"]] == [world.case.pk]
    bad = checked(
        schema,
        http.get("/api/v1/cases/changes/", params={"cursor": "nonsense!"}, headers=headers(token)),
    )
    assert bad.status_code == 400 and "cursor" in bad.json()


def test_assess_answers_as_the_command_does(http, world, schema):

    token = world.tokens["assess"]
    response = http.post("/api/v1/assess/", content=dumps(ASSESS_FACTS), headers=headers(token))
    assert response.status_code == 200
    out = io.StringIO()

    with tempfile.NamedTemporaryFile("wb", suffix=".json") as facts:
        facts.write(dumps(ASSESS_FACTS))
        facts.flush()
        call_command("assess_compensation", facts.name, stdout=out)
    assert response.json() == json.loads(out.getvalue())
    checked(schema, response)

    wrong = b'{"notified_on": "2026-02-30", "items": [], "transactions": [], "x": 1}'
    bad = checked(schema, http.post("/api/v1/assess/", content=wrong, headers=headers(token)))
    assert bad.status_code == 400 and len(bad.json()["problems"]) == 2
    # The same problems, in the same words and order, as the command gives them (exit 2).
    with tempfile.NamedTemporaryFile("wb", suffix=".json") as facts:
        facts.write(wrong)
        facts.flush()
        with pytest.raises(CommandError) as refused:
            call_command("assess_compensation", facts.name)
    assert refused.value.returncode == 2
    assert bad.json()["problems"] == str(refused.value).split("\n")


def test_tokens_are_stored_as_their_hash_only_and_a_revoked_token_is_refused(http, world, schema):
    token = world.tokens["all"]
    row = ApiClient.objects.values().get(token_prefix=token[:12])
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in row.values()}
    revoked_client = ApiClient.objects.get(token_prefix=world.tokens["revoked"][:12])
    caches["api"].delete(f"api_refused_{revoked_client.pk}")
    for _ in range(5):  # a revoked system that keeps calling
        revoked = checked(
            schema,
            http.get(f"/api/v1/cases/{world.case.pk}/", headers=headers(world.tokens["revoked"])),
        )
        assert revoked.status_code == 401
    caches["api"].delete(f"api_refused_{revoked_client.pk}")
    # On the access log with the refusal, once a minute at most (a leaked token cannot flood it).
    assert list(
        CaseAccess.objects.filter(user=revoked_client.user).values_list("case_id", "record", "view")
    ) == [(None, "API 事故の参照（401）", "api:case_detail")]
    anonymous = checked(schema, http.get(f"/api/v1/cases/{world.case.pk}/", headers=headers(None)))
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith(
        "Bearer"
    )


def test_the_same_key_sent_twice_at_once_opens_one_case(http, live_server, world):
    from concurrent.futures import ThreadPoolExecutor

    key, token = new_key(), world.tokens["preliminary"]

    def send(_n: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, timeout=30) as own:
            return own.post(
                "/api/v1/preliminary-cases/", content=dumps(call()), headers=headers(token, key)
            )

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, range(2)))
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Case.objects.filter(status="preliminary").count() == 1


def test_every_call_of_a_client_is_on_the_access_log_whatever_its_answer(http, world):
    def logged(token: str) -> list[tuple]:
        client = ApiClient.objects.get(token_prefix=token[:12])
        rows = CaseAccess.objects.filter(user=client.user).order_by("pk")
        return list(rows.values_list("case_id", "record", "view"))

    assess = world.tokens["assess"]
    http.post("/api/v1/assess/", content=dumps(ASSESS_FACTS), headers=headers(assess))
    http.post("/api/v1/assess/", content=b"{", headers=headers(assess))
    assert logged(assess) == [
        (None, "API 補償判定（200）", "api:assess"),
        (None, "API 補償判定（400）", "api:assess"),
    ]

    cases, preliminary = world.tokens["cases"], world.tokens["preliminary"]
    answers = [
        http.get(f"/api/v1/cases/{world.case.pk}/", headers=headers(cases)),
        http.get(f"/api/v1/cases/{world.other_case.pk}/", headers=headers(cases)),
        http.get("/api/v1/cases/changes/", params={"cursor": "x"}, headers=headers(cases)),
        http.post(
            "/api/v1/preliminary-cases/", content=dumps(call()), headers=headers(preliminary)
        ),
    ]
    assert [answer.status_code for answer in answers] == [200, 404, 400, 400]
    # A case read is logged with its case, once; a call that named none, with what it was.
    assert logged(cases) == [
        (world.case.pk, "", "api:case"),
        (None, "API 事故の参照（404）", "api:case_detail"),
        (None, "API 変更一覧（400）", "api:case_changes"),
    ]
    assert logged(preliminary) == [(None, "API 仮受付の登録（400）", "api:preliminary_cases")]
    # The access log names each call in its reader's language; the row keeps the bank's words.
    reader = factories.staff("compliance_en", "compliance", None)
    reader.language = "en"
    reader.save(update_fields=["language"])
    pages = Client()
    pages.force_login(reader)
    page = pages.get(reverse("incidents:access_log")).content.decode()
    assert "API Compensation assessment (400)" in page and "API Read a case (404)" in page
    assert "API Register a preliminary case (400)" in page and "補償判定" not in page

    # No client, nobody to name: a call without a token logs nothing.
    before = CaseAccess.objects.count()
    assert http.post("/api/v1/assess/", content=dumps(ASSESS_FACTS)).status_code == 401
    assert CaseAccess.objects.count() == before
