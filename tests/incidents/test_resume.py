"""A draft is resumed at the step whose typing was kept unsaved (the tab closed on it, an idle
logout), from the start page, the case page and the discard page; else at the last step saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.intake.autosave import intake_autosave_save
from tests import factories

pytestmark = pytest.mark.django_db


def resume_url(case, step: str) -> str:
    return reverse("incidents:intake_step", args=[case.pk, step])


def test_resume_goes_to_the_last_step_saved_when_nothing_was_kept(teller_client, teller):
    case = factories.draft(teller)
    case.intake_step = "items"
    case.save(update_fields=["intake_step"])
    home = teller_client.get(reverse("incidents:home")).content.decode()
    assert f'href="{resume_url(case, "items")}"' in home


def test_resume_goes_to_the_step_whose_typing_was_kept_from_every_page_that_offers_it(
    teller_client, teller
):
    case = factories.draft(teller)
    case.intake_step = "items"
    case.save(update_fields=["intake_step"])
    intake_autosave_save(
        case=case, user=teller, step="customer", data={"customer_address": ["札幌市中央区"]}
    )
    home = teller_client.get(reverse("incidents:home")).content.decode()
    assert f'href="{resume_url(case, "customer")}"' in home
    assert (
        f'href="{resume_url(case, "customer")}"'
        in teller_client.get(case.get_absolute_url()).content.decode()
    )
    discard = reverse("incidents:case_discard", args=[case.pk])
    assert f'href="{resume_url(case, "customer")}"' in teller_client.get(discard).content.decode()
    # And what was typed is there when it opens.
    assert "札幌市中央区" in teller_client.get(resume_url(case, "customer")).content.decode()


def test_the_start_page_reads_each_drafts_resume_step_with_the_drafts(teller_client, teller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    drafts = [factories.draft(teller) for _ in range(3)]
    teller_client.get(reverse("incidents:home"))
    with CaptureQueriesContext(connection) as one:
        teller_client.get(reverse("incidents:home"))
    for case in drafts:
        intake_autosave_save(case=case, user=teller, step="police", data={"x": ["1"]})
    with CaptureQueriesContext(connection) as three:
        page = teller_client.get(reverse("incidents:home")).content.decode()
    assert all(f'href="{resume_url(case, "police")}"' in page for case in drafts)
    assert len(three.captured_queries) == len(one.captured_queries)
