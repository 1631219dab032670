"""A freeze case's stop leaves through the outbox (docs/core-banking-protocol.md), against the
core simulator (a real HTTP server): opened 凍結依頼中, frozen once when the core confirms (with its
reference and a timeline line), a core that is down gets the stop once it is back, a refusal is
shown with its reason and asked again or recorded by hand, an unconfirmed freeze escalates once,
and the page answers while the core is slow (no call inside the request)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation import services
from compensation.choices import FreezeEventKind, FreezeStatus
from compensation.models import FreezeCase
from compensation.services import DecisionError
from incidents.cases import services as desk_services
from incidents.models import CoreRequest
from incidents.models.choices import CoreRequestState
from notifications.models import Notification
from tests.servers import core_banking, core_simulator

from .support import fresh, stamp

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db


def events(freeze: FreezeCase, kind: str) -> int:
    return freeze.events.filter(kind=kind).count()


def test_a_freeze_is_requested_then_frozen_once_when_the_core_confirms(
    desk, core_banking, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        freeze = desk.open()
    assert freeze.status == FreezeStatus.REQUESTED and freeze.frozen_at is None
    assert len(callbacks) == 1 and core_banking.stats()["total"] == 0  # sent after commit
    request = CoreRequest.objects.get(freeze_case=freeze)
    assert request.action_id is None and request.freeze_request_id is None
    # The notice needs the core's confirmation first.
    with pytest.raises(DecisionError, match="凍結が確認された後"):
        desk.notice(freeze)
    assert desk_services.core_requests_sweep().sent == {"confirmed": 1}
    freeze = fresh(freeze)
    assert freeze.status == FreezeStatus.FROZEN and freeze.frozen_at is not None
    assert freeze.stop_reference.startswith("CB-")
    assert events(freeze, FreezeEventKind.FROZEN) == 1
    assert freeze.stop_reference in freeze.events.get(kind=FreezeEventKind.FROZEN).message
    # The core's callback confirming again changes nothing (no new version, no second line).
    version = freeze.version
    desk_services.core_request_confirm(request_key=str(request.key), reference="CB-OTHER")
    freeze = fresh(freeze)
    assert freeze.version == version and freeze.stop_reference.startswith("CB-")
    assert events(freeze, FreezeEventKind.FROZEN) == 1
    # A refusal after the confirmation is refused and undoes nothing.
    with pytest.raises(desk_services.CoreAnswerConflict):
        desk_services.core_request_refuse(request_key=str(request.key), code="x", reason="late")
    assert core_banking.stats()["stops"] == {str(request.key): 1}
    assert desk.notice(freeze).status == FreezeStatus.NOTICE


def test_a_core_that_is_down_gets_the_freeze_once_it_is_back(desk, core_banking):
    core_banking.stop()
    freeze = desk.open()
    assert desk_services.core_requests_sweep().sent == {"retry": 1}
    request = CoreRequest.objects.get(freeze_case=freeze)
    assert request.attempts == 1 and request.last_error
    assert fresh(freeze).status == FreezeStatus.REQUESTED
    core_banking.start()  # back, with no memory of the request
    assert desk_services.core_requests_sweep().sent == {}  # not due before its backoff
    later = timezone.now() + timedelta(minutes=1)
    assert desk_services.core_requests_sweep(now=later).sent == {"confirmed": 1}
    assert fresh(freeze).status == FreezeStatus.FROZEN
    assert core_banking.stats()["stops"] == {str(request.key): 1}


def test_a_refused_freeze_is_shown_with_its_reason_and_asked_again(
    desk, core_banking, client, supervisor
):
    core_banking.mode("refuse")
    freeze = desk.open()
    assert desk_services.core_requests_sweep().sent == {"refused": 1}
    freeze = fresh(freeze)
    assert freeze.status == FreezeStatus.REFUSED and "取引制限中" in freeze.stop_failure
    assert events(freeze, FreezeEventKind.FREEZE_REFUSED) == 1
    client.force_login(supervisor)
    url = reverse("freezes:detail", args=[freeze.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="freeze-refused"' in page and "取引制限中" in page
    assert 'data-testid="freeze-retry"' in page
    core_banking.mode("normal")
    retry = {"version": freeze.version, "edit_key": "6b0f8f4e-8c1e-4a55-9b8e-1f2d3c4b5a69"}
    core_url = reverse("freezes:core", args=[freeze.pk])
    assert client.post(core_url, {**retry, "action": "retry"}).status_code == 302
    assert client.post(core_url, {**retry, "action": "retry"}).status_code == 302  # again
    requests = CoreRequest.objects.filter(freeze_case=freeze).order_by("pk")
    assert [r.state for r in requests] == [CoreRequestState.FAILED, CoreRequestState.PENDING]
    assert fresh(freeze).status == FreezeStatus.REQUESTED
    assert desk_services.core_requests_sweep().sent == {"confirmed": 1}
    assert fresh(freeze).status == FreezeStatus.FROZEN
    # The refused request made no stop; the retry made one, under its own key.
    assert core_banking.stats()["stops"] == {str(requests[1].key): 1}


def test_a_freeze_made_at_the_cores_terminal_is_recorded_and_not_sent_again(
    desk, core_banking, client, supervisor
):
    core_banking.mode("hold")
    freeze = desk.open()
    assert desk_services.core_requests_sweep().sent == {"accepted": 1}
    client.force_login(supervisor)
    core_url = reverse("freezes:core", args=[fresh(freeze).pk])
    for hostile in ("", "\x00", "x" * 41):
        response = client.post(
            core_url, {"version": fresh(freeze).version, "action": "manual", "reference": hostile}
        )
        assert response.status_code == 400  # refused with a message, not a server error
    services.freeze_case_record_by_hand(
        freeze=freeze, user=supervisor, stamp=stamp(freeze), reference="T-0042"
    )
    freeze = fresh(freeze)
    assert (freeze.status, freeze.stop_reference) == (FreezeStatus.FROZEN, "T-0042")
    later = timezone.now() + timedelta(hours=1)
    assert desk_services.core_requests_sweep(now=later).sent == {}
    # The core's late confirmation is taken; the reference recorded by hand stands.
    request = CoreRequest.objects.get(freeze_case=freeze)
    desk_services.core_request_confirm(request_key=str(request.key), reference="CB-LATE")
    assert fresh(freeze).stop_reference == "T-0042"
    assert events(freeze, FreezeEventKind.FROZEN) == 1


def test_an_unconfirmed_freeze_escalates_once(
    desk, core_banking, supervisor, monitoring_agent, client
):
    core_banking.mode("hold")
    monitoring_agent.language = "en"  # each notice in its reader's language
    monitoring_agent.save(update_fields=["language"])
    freeze = desk.open()
    desk_services.core_requests_sweep()
    later = timezone.now() + timedelta(minutes=16)
    assert len(desk_services.core_requests_sweep(now=later).escalated) == 1
    assert desk_services.core_requests_sweep(now=later + timedelta(minutes=5)).escalated == []
    assert events(fresh(freeze), FreezeEventKind.FREEZE_UNCONFIRMED) == 1
    notified = Notification.objects.filter(dedupe_key__startswith="freeze-unconfirmed:")
    assert sorted(n.recipient_id for n in notified) == sorted([supervisor.pk, monitoring_agent.pk])
    said = {n.recipient_id: (n.title, n.link_label) for n in notified}
    assert said[monitoring_agent.pk] == (f"Freeze unconfirmed: {freeze}", "Open the freeze case")
    assert said[supervisor.pk] == (f"凍結が未確認：{freeze}", "口座凍結を開く")
    assert fresh(freeze).status == FreezeStatus.REQUESTED
    client.force_login(supervisor)
    page = client.get(reverse("freezes:detail", args=[freeze.pk])).content.decode()
    assert 'data-testid="freeze-unconfirmed"' in page


def test_the_open_page_answers_at_once_while_the_core_is_slow(
    core_banking, client, supervisor, candidate_key
):
    core_banking.mode("slow", ms=3000)
    client.force_login(supervisor)
    started = time.monotonic()
    response = client.post(reverse("freezes:open", kwargs={"key": candidate_key}), {"balance": "1"})
    assert response.status_code == 302
    assert time.monotonic() - started < 2  # the core would take 3 s: it was not called
    assert core_banking.stats()["total"] == 0
    freeze = FreezeCase.objects.get()
    assert freeze.status == FreezeStatus.REQUESTED
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="freeze-requested"' in page
