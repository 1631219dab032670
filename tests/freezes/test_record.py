"""The freeze case's record through its pages: a stale form shown again with what was typed on
the freeze case's newer version (every form's stale and double posts: test_guarded_urls.py), the
timeline on the page, and every read of a freeze case on the case desk's access log."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import CaseAccess
from tests import factories

from .support import fresh, stamp

pytestmark = pytest.mark.django_db


def rendered_stamp(page: str, action: str) -> dict[str, str]:
    """The hidden version and one-time key of the form posting to ``action`` on ``page``."""
    form = page[page.index(f'action="{action}"') :]
    version = re.search(r'name="version" value="(\d+)"', form)
    key = re.search(r'name="edit_key" value="([0-9a-f-]+)"', form)
    assert version is not None and key is not None
    return {"version": version.group(1), "edit_key": key.group(1)}


def test_a_stale_application_form_comes_back_with_what_was_typed_on_the_newer_version(client, desk):
    freeze = desk.in_applications()
    client.force_login(desk.supervisor)
    detail = reverse("freezes:detail", kwargs={"pk": freeze.pk})
    url = reverse("freezes:application_new", kwargs={"pk": freeze.pk})
    opened = rendered_stamp(client.get(detail).content.decode(), url)
    desk.apply(freeze, "別の 申請", 10_000, accept=None)  # another supervisor saved meanwhile
    typed = {
        "applicant_name": "被害 花子",
        "applicant_contact": "090-0000-0000",
        "received_on": "2026-12-10",
        "claimed_amount": "300000",
    }
    refused = client.post(url, {**typed, **opened})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "他の役席が更新しました" in body
    assert 'value="被害 花子"' in body and 'value="090-0000-0000"' in body
    assert rendered_stamp(body, url)["version"] == str(fresh(freeze).version)
    assert freeze.applications.count() == 1


def test_the_page_shows_the_timeline_of_who_did_what(client, desk, approver):
    decision = desk.submitted()
    freeze = decision.freeze_case
    from compensation import services

    services.distribution_approve(decision=decision, user=approver, stamp=stamp(freeze))
    client.force_login(approver)
    body = client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk})).content.decode()
    timeline = body[body.index('data-testid="freeze-timeline"') :]
    kinds = [
        "口座凍結",
        "公告の記録",
        "申請期間の記録",
        "申請の受付",
        "申請の決定",
        "分配の審査依頼",
        "分配の承認",
    ]
    positions = [timeline.index(f"<strong>{label}</strong>") for label in kinds]
    assert positions == sorted(positions)
    assert "DIC-1" in timeline and "2026/12/07" in timeline
    assert approver.display_name in timeline and desk.supervisor.display_name in timeline


def test_every_read_of_a_freeze_case_is_on_the_access_log(client, desk, approver):
    decision = desk.submitted()
    freeze = decision.freeze_case
    client.force_login(approver)
    client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk}))
    client.get(
        reverse("freezes:decision_table", kwargs={"pk": freeze.pk, "decision_pk": decision.pk})
    )
    reads = CaseAccess.objects.filter(user=approver).order_by("at", "pk")
    assert [(r.case_id, r.record, r.view) for r in reads] == [
        (None, f"口座凍結 {freeze.pk}", "freeze_detail"),
        (None, f"口座凍結 {freeze.pk}", "freeze_table"),
    ]
    client.force_login(factories.staff("compliance_x", "compliance", None))
    log = client.get(reverse("incidents:access_log"), {"case_number": f"口座凍結 {freeze.pk}"})
    rows = log.content.decode().count('data-testid="access-record"')
    assert rows == 2
    # Named in the reader's language on the page; the rows keep the bank's words.
    reader = factories.staff("compliance_en", "compliance", None)
    reader.language = "en"
    reader.save(update_fields=["language"])
    client.force_login(reader)
    page = client.get(reverse("incidents:access_log")).content.decode()
    assert page.count(f">Freeze case {freeze.pk}<") == 2 and "口座凍結" not in page


def test_the_page_s_queries_do_not_grow_with_its_timeline(client, desk):
    freeze = desk.in_applications()
    desk.apply(freeze, "申請 一子", 1_000, accept=None)
    client.force_login(desk.supervisor)
    url = reverse("freezes:detail", kwargs={"pk": freeze.pk})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        desk.apply(freeze, f"申請 {n}", 1_000 + n, accept=None)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    # Five more applications and timeline lines: the same queries.
    assert len(more.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 20
