"""The stops step: each fact once on the timeline, and every proposed stop in one action."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from incidents.cases import services
from incidents.models.choices import ActionStatus, EventKind
from tests import factories

pytestmark = pytest.mark.django_db


def step_url(case, step="stops"):
    return reverse("incidents:intake_step", args=[case.pk, step])


def form_data(page: str) -> dict:
    """The stops form as the page renders it: hidden fields, chosen options and typed values."""
    data: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'<input type="text" name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def passbook_draft(teller):
    case = factories.draft(teller)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "passbook",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": factories.today(),
                "noticed_on": factories.today(),
            }
        ],
    )
    return case


def test_a_declined_stop_is_written_to_the_timeline_once_however_often_the_step_is_saved(
    teller_client, teller
):
    case = passbook_draft(teller)
    seal = case.actions.get(kind="seal_check")
    first = form_data(teller_client.get(step_url(case)).content.decode())
    first.update(
        {
            f"stop-{seal.pk}-decision": "declined",
            f"stop-{seal.pk}-decline_reason": "印鑑は手元にある",
            "save_only": "1",
        }
    )
    assert teller_client.post(step_url(case), first).status_code == 302
    for _again in range(2):
        page = teller_client.get(step_url(case)).content.decode()
        assert (
            teller_client.post(step_url(case), {**form_data(page), "save_only": "1"}).status_code
            == 302
        )
    declined = case.events.filter(kind=EventKind.STOP_DECLINED)
    assert declined.count() == 1
    assert "印鑑は手元にある" in declined.get().message
    seal.refresh_from_db()
    assert seal.status == ActionStatus.DECLINED
