"""The intake's autosave: the raw form on screen kept as typed (valid or not), restored into the
form when the teller comes back, dropped once the step is saved."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from incidents.models import IntakeAutosave
from tests import factories

pytestmark = pytest.mark.django_db


def autosave(client, url, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(
        url, body, content_type="application/json", HTTP_ACCEPT="application/json", **extra
    )


def test_the_step_on_screen_is_kept_as_typed_and_restored_into_its_form(teller_client, teller):
    case = factories.draft(teller)
    url = reverse("incidents:intake_autosave", args=[case.pk, "customer"])
    fields = {"customer_name": ["途中"], "customer_phone": ["12"], "customer_type": ["corporate"]}
    response = autosave(teller_client, url, {"fields": fields})
    assert response.status_code == 200 and response.json()["ok"] is True
    assert IntakeAutosave.objects.get(case=case, step="customer").data == fields

    page = teller_client.get(reverse("incidents:intake_step", args=[case.pk, "customer"]))
    html = page.content.decode()
    assert 'value="途中"' in html and 'value="12"' in html
    assert re.search(r'value="corporate"[^>]*checked', html)
    assert "電話番号は10〜11桁" not in html  # kept data is shown, not judged, until saved


def test_saving_the_step_drops_what_was_kept(teller_client, teller):
    case = factories.draft(teller)
    autosave(
        teller_client,
        reverse("incidents:intake_autosave", args=[case.pk, "customer"]),
        {"fields": {"customer_name": ["途中"]}},
    )
    teller_client.post(
        reverse("incidents:intake_step", args=[case.pk, "customer"]),
        {
            "customer_number": "123456",
            "customer_type": "individual",
            "customer_name": "保存 太郎",
            "customer_name_kana": "ホゾン タロウ",
            "version": case.version,
        },
    )
    assert not IntakeAutosave.objects.filter(case=case).exists()


def test_the_teller_may_discard_what_was_restored(teller_client, teller):
    case = factories.draft(teller)
    url = reverse("incidents:intake_step", args=[case.pk, "customer"])
    autosave(
        teller_client,
        reverse("incidents:intake_autosave", args=[case.pk, "customer"]),
        {"fields": {"customer_name": ["途中"]}},
    )
    response = teller_client.post(url, {"discard_autosave": "1"})
    assert response.status_code == 302
    assert not IntakeAutosave.objects.exists()
    assert 'value="山田 太郎"' in teller_client.get(url).content.decode()


def test_a_new_report_not_yet_a_draft_is_kept_for_its_teller_with_its_token(teller_client):
    token = "5d2b8f4e-8a54-4a57-9a0a-0d0f9d6f7c11"
    response = autosave(
        teller_client,
        reverse("incidents:case_new_autosave"),
        {"fields": {"reporter_name": ["代理 人"], "intake_token": [token]}},
    )
    assert response.status_code == 200
    html = teller_client.get(reverse("incidents:case_new")).content.decode()
    assert 'value="代理 人"' in html and f'value="{token}"' in html
    assert 'data-testid="autosave-restored"' in html


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"fields": ["a"]}),
        json.dumps({"fields": {"customer_name": 5}}),
        json.dumps({"fields": {"customer_name": [{"nested": 1}]}}),
        json.dumps({"fields": {"customer_name": ["a\u0000b"]}}),
        b'{"fields": {"customer_name": ["\\ud800"]}}',
        json.dumps({"fields": {"x" * 101: ["a"]}}),
        b"\xff\xfe\x00",
    ],
)
def test_malformed_autosaves_are_refused_in_json_with_a_japanese_message(
    teller_client, teller, payload
):
    case = factories.draft(teller)
    url = reverse("incidents:intake_autosave", args=[case.pk, "customer"])
    response = autosave(teller_client, url, payload)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and any("\u3040" <= ch <= "\u30ff" for ch in body["error"])
    assert not IntakeAutosave.objects.exists()


def test_another_branchs_draft_cannot_be_autosaved(client, other_teller, teller):
    case = factories.draft(teller)
    client.force_login(other_teller)
    response = autosave(
        client,
        reverse("incidents:intake_autosave", args=[case.pk, "customer"]),
        {"fields": {"customer_name": ["x"]}},
    )
    assert response.status_code == 404
    assert response.json()["status"] == 404
    assert not IntakeAutosave.objects.exists()


def test_no_step_of_a_submitted_case_is_autosaved_the_intake_is_frozen(teller_client, teller):
    case = factories.stolen_card_case(teller)
    for step in ("reporter", "customer", "transactions"):
        url = reverse("incidents:intake_autosave", args=[case.pk, step])
        response = autosave(teller_client, url, {"fields": {"customer_name": ["x"]}})
        assert response.status_code == 409
    assert not IntakeAutosave.objects.exists()


def test_the_step_forms_carry_their_autosave_address(teller_client, teller):
    case = factories.draft(teller)
    html = teller_client.get(
        reverse("incidents:intake_step", args=[case.pk, "customer"])
    ).content.decode()
    assert f'data-autosave-url="/cases/{case.pk}/intake/customer/autosave/"' in html


def test_the_fraud_step_is_kept_as_typed_and_restored_like_every_other_step(teller_client, teller):
    """The 詐欺被害の確認 step (asked for a transfer-fraud report) warns before leaving and keeps
    what was typed, as the other steps do."""
    case = factories.transfer_fraud_case(teller, submit=False)
    step_url = reverse("incidents:intake_step", args=[case.pk, "fraud"])
    url = reverse("incidents:intake_autosave", args=[case.pk, "fraud"])
    assert f'data-autosave-url="{url}"' in teller_client.get(step_url).content.decode()
    fields = {"fraud_approach": ["other"], "fraud_approach_note": ["電話で投資を勧誘"]}
    assert autosave(teller_client, url, {"fields": fields}).status_code == 200

    html = teller_client.get(step_url).content.decode()
    assert 'data-testid="autosave-restored"' in html
    assert 'value="電話で投資を勧誘"' in html
    assert re.search(r'<option value="other"[^>]*selected', html)
