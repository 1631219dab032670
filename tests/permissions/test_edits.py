"""Every URL that changes a case (declared ``edits`` in the permission matrix) goes through the
one guarded path: a form rendered before the case moved on changes nothing and says so, keeping
what was typed; the same form posted twice (a double click, a resend) applies once."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from incidents.cases.edits import case_edit
from incidents.models import CaseEdit

from .matrix import BRANCH, MATRIX, SUPERVISOR, TELLER, stamped
from .test_matrix import build_world, fingerprint, the_case, url_for

pytestmark = pytest.mark.django_db

EDITS = sorted(name for name, spec in MATRIX.items() if spec.edits)
VERSIONED = [name for name in EDITS if MATRIX[name].edits in (True, "key")]
STALE_WORDS = re.compile("が更新し(ました|たため)")


def poster(spec) -> str:
    """A role allowed to post there, the case's own branch first."""
    for role in (TELLER, SUPERVISOR, *sorted(spec.post)):
        if role in spec.post:
            return role
    raise AssertionError("nobody may post")


def posting(name: str, branch, other_branch) -> tuple:
    """The URL's spec, its test world, the URL, who posts and the form as the page renders it."""
    spec = MATRIX[name]
    world = build_world(branch, other_branch, needs=spec.case)
    world.case = the_case(world, spec)
    url = url_for(name, spec, world)
    return (
        spec,
        world,
        url,
        poster(spec),
        stamped(spec, world, spec.data(world) if spec.data else {}),
    )


def typed_values(data: dict) -> list[str]:
    """What a member of staff typed (text, not ids, choices or stamps), to find on the page."""
    return [
        value
        for name, value in data.items()
        if isinstance(value, str)
        and name not in ("version", "edit_key", "csrfmiddlewaretoken")
        and len(value) > 2
        and not value.isascii()
    ]


def test_every_case_changing_url_is_declared_as_such():
    # The writes of the case desk: a new one declared without ``edits`` would escape this file.
    assert set(EDITS) >= {
        "incidents:intake_step",
        "incidents:case_correct",
        "incidents:case_submit",
        "incidents:case_discard",
        "incidents:case_withdrawal",
        "incidents:withdrawal_decide",
        "incidents:case_stops",
        "incidents:case_assign",
        "incidents:case_claim",
        "incidents:case_pickup",
        "incidents:queue_assign",
        "incidents:case_record_police",
        "incidents:deadline_meet",
        "incidents:transaction_recovery",
        "incidents:attachment_upload",
        "incidents:attachment_withdraw",
        "incidents:case_freeze_requests",
        "compensation:findings",
        "compensation:submit",
        "compensation:review",
        "compensation:paid",
    }


@pytest.mark.parametrize("name", VERSIONED)
def test_a_form_rendered_before_the_case_moved_on_changes_nothing_and_keeps_what_was_typed(
    name, branch, other_branch
):
    _spec, world, url, role, data = posting(name, branch, other_branch)
    with transaction.atomic():
        # Someone else saved the case after this form was rendered.
        with case_edit(case=world.case.pk, user=None, stamp=None, action="elsewhere"):
            pass
        client = Client()
        client.force_login(world.users[role])
        before = fingerprint()
        response = client.post(url, data)
        changed = fingerprint() != before
        shown_again = response.status_code == 200
        if response.status_code == 302:
            response = client.get(response["Location"])
        body = response.content.decode()
        transaction.set_rollback(True)
    assert response.status_code < 500
    assert not changed, f"POST {url} as {role} applied a stale form"
    assert STALE_WORDS.search(body), f"POST {url} as {role}: the refusal is not explained"
    if shown_again:  # the form is shown again: what was typed is kept
        for value in typed_values(data):
            assert value in body, f"POST {url}: lost {value!r}"


@pytest.mark.parametrize("name", EDITS)
def test_the_same_form_posted_twice_applies_once(name, branch, other_branch):
    spec, world, url, role, data = posting(name, branch, other_branch)
    with transaction.atomic():
        client = Client()
        client.force_login(world.users[role])
        before = fingerprint()
        edits_before = CaseEdit.objects.count()
        first = client.post(url, data)
        after_first = fingerprint()
        edits_after_first = CaseEdit.objects.count()
        second = client.post(url, data)
        after_second = fingerprint()
        edits_after_second = CaseEdit.objects.count()
        transaction.set_rollback(True)
    assert first.status_code < 400 and second.status_code < 400
    assert after_first != before, f"POST {url} as {role} changed nothing"
    assert after_second == after_first, f"POST {url} as {role}: the second post applied again"
    assert edits_after_second == edits_after_first
    if spec.edits is not True or role not in BRANCH:
        return
    assert edits_after_first == edits_before + 1  # one guarded edit, recorded under its key
