"""Every page that writes to a freeze case goes through the one guarded path: a form rendered
before the freeze case moved on changes nothing and says so, keeping what was typed; the same form
posted twice (a double click, a resend) applies once, recorded once under its key."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compensation.models import (
    DistributionDecision,
    FreezeCase,
    FreezeEdit,
    FreezeEvent,
    FreezeReminder,
    RemedyApplication,
    RemedyEvidence,
)
from compensation.services import freeze_edit
from tests.permissions.matrix import MATRIX
from tests.permissions.test_edits import STALE_WORDS, typed_values
from tests.permissions.test_matrix import FREEZE_STATES

from .support import freeze_world

pytestmark = pytest.mark.django_db

FREEZE_WRITES = sorted(
    name
    for name, spec in MATRIX.items()
    if name.startswith("freezes:") and spec.post and name != "freezes:open"
)


def test_every_freeze_write_is_checked_here():
    assert FREEZE_WRITES == [
        "freezes:application_decide",
        "freezes:application_new",
        "freezes:applications_open",
        "freezes:core",
        "freezes:distribution_review",
        "freezes:distribution_submit",
        "freezes:evidence_upload",
        "freezes:notice",
    ]


def fingerprint(freeze: FreezeCase) -> tuple:
    """Everything a freeze form could have written."""
    return (
        tuple(sorted(FreezeCase.objects.values().get(pk=freeze.pk).items())),
        tuple(RemedyApplication.objects.values_list("pk", "status", "decision_reason")),
        RemedyEvidence.objects.count(),
        tuple(DistributionDecision.objects.values_list("pk", "status")),
        FreezeEvent.objects.count(),
        tuple(FreezeReminder.objects.values_list("pk", "due_at", "cancelled_at")),
    )


def resent(data: dict) -> dict:
    """The same form sent again by the browser: the same fields, and each file sent whole again."""
    copy = {}
    for name, value in data.items():
        if isinstance(value, SimpleUploadedFile):
            content = value.read()
            value.seek(0)
            value = SimpleUploadedFile(value.name or "", content, value.content_type or "")
        copy[name] = value
    return copy


@pytest.mark.parametrize("name", FREEZE_WRITES)
def test_a_stale_freeze_form_changes_nothing_and_the_same_form_twice_applies_once(
    name, client, supervisor, approver, candidate_key
):
    spec = MATRIX[name]
    state = FREEZE_STATES[spec.case]
    made = freeze_world(approver if state == "distributing" else supervisor, candidate_key, state)
    world = SimpleNamespace(
        freeze=made["freeze"],
        freeze_key=candidate_key,
        application=made.get("application"),
        evidence=made.get("evidence"),
        freeze_decision=made.get("decision"),
    )
    url = reverse(name, kwargs={key: value(world) for key, value in spec.kwargs.items()})
    client.force_login(supervisor)

    def posted() -> dict:
        return {**spec.data(world), "edit_key": str(uuid.uuid4())}

    stale = posted()
    with freeze_edit(freeze=world.freeze, user=approver, stamp=None, action="elsewhere") as current:
        current.note = "別の役席が更新"
        current.save(update_fields=["note"])
    before = fingerprint(world.freeze)
    refused = client.post(url, stale)
    assert refused.status_code == 400
    assert fingerprint(world.freeze) == before, f"POST {url} applied a stale form"
    body = refused.content.decode()
    assert STALE_WORDS.search(body), f"POST {url}: the refusal is not explained"
    for value in typed_values(stale):
        assert value in body, f"POST {url}: lost {value!r}"

    form = posted()
    again = resent(form)
    edits = FreezeEdit.objects.count()
    first = client.post(url, form)
    after_first = fingerprint(world.freeze)
    second = client.post(url, again)
    assert first.status_code == second.status_code == 302
    assert after_first != before, f"POST {url} changed nothing"
    assert fingerprint(world.freeze) == after_first, f"POST {url}: the second post applied again"
    assert FreezeEdit.objects.count() == edits + 1
