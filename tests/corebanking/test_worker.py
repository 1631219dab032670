"""The outbox with the real parts: a Celery worker on a private Redis sends each stop after its
case's transaction commits, a core that was down gets the stop once it is back (one stop made),
and two sweeps at once escalate an unconfirmed stop once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from incidents.cases import services
from incidents.models import CoreRequest, ProtectiveAction
from incidents.models.choices import ActionStatus, EventKind
from incidents.tasks import sweep_core_requests
from notifications.models import Notification
from tests import factories
from tests.servers import core_banking, core_environment, core_simulator
from tests.workers import broker, redis_server, wait_for, worker

from .conftest import card_stop, case_with_proposed_stops

__all__ = ["broker", "core_banking", "core_simulator", "redis_server", "worker"]


def _done(action: ProtectiveAction) -> bool:
    return ProtectiveAction.objects.filter(pk=action.pk, status=ActionStatus.DONE).exists()


def test_a_real_worker_sends_stops_after_commit_and_retries_one_the_core_missed_once(
    worker, core_banking, teller
):
    worker.environment = core_environment(core_banking)
    worker.start()
    worker.wait_ready()
    # The core is up: the card stop leaves once its transaction commits and comes back confirmed.
    case = case_with_proposed_stops(teller)
    card = card_stop(case)
    services.action_perform(action=card, user=teller)
    try:
        wait_for(lambda: _done(card), timeout=30, what="the worker to have the stop confirmed")
    except AssertionError:
        print(worker.output())
        raise
    card.refresh_from_db()
    assert card.reference.startswith("CB-")
    assert case.events.filter(kind=EventKind.STOP_REQUESTED).count() == 1
    assert case.events.filter(kind=EventKind.STOP_DONE).count() == 1
    # The core goes down: another card's stop fails at its first attempt and waits its backoff.
    core_banking.stop()
    payment = card_stop(case_with_proposed_stops(teller, account="7654321"))
    services.action_perform(action=payment, user=teller)
    request = CoreRequest.objects.get(action=payment)
    wait_for(
        lambda: (
            CoreRequest.objects.filter(pk=request.pk, attempts=1).exclude(last_error="").exists()
        ),
        timeout=30,
        what="the worker's first attempt to fail",
    )
    assert not _done(payment)
    core_banking.start()  # back, on the same port, with no memory of the request
    # The beat's sweep, run by the worker after the backoff; twice (the second finds nothing).
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    sweep_core_requests.delay(now=later)
    sweep_core_requests.delay(now=later)
    wait_for(lambda: _done(payment), timeout=30, what="the sweep to have the stop confirmed")
    request.refresh_from_db()
    assert request.attempts == 2
    assert core_banking.stats()["stops"] == {str(request.key): 1}


@pytest.mark.django_db(transaction=True)
def test_an_unconfirmed_stop_escalates_once_even_with_two_sweeps_at_once(
    broker, core_banking, teller, supervisor, monitoring_agent, other_branch, client
):
    elsewhere = factories.staff("supervisor_b", "supervisor", other_branch)
    core_banking.mode("hold")  # accepts, never confirms
    case = case_with_proposed_stops(teller)
    action = card_stop(case)
    services.action_perform(action=action, user=teller)
    request = CoreRequest.objects.get(action=action)
    assert services.core_request_send(request_id=request.pk) == "accepted"
    later = timezone.now() + timedelta(minutes=16)
    start = threading.Barrier(2)
    results = []

    def sweep():
        try:
            start.wait(timeout=10)
            results.append(services.core_requests_sweep(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(len(r.escalated) for r in results) == [0, 1]
    assert case.events.filter(kind=EventKind.STOP_UNCONFIRMED).count() == 1
    notified = Notification.objects.filter(dedupe_key__startswith=f"stop-unconfirmed:{request.pk}:")
    assert sorted(n.recipient_id for n in notified) == sorted([supervisor.pk, monitoring_agent.pk])
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    # A later sweep escalates nothing more; the core was asked again, and still holds it.
    assert services.core_requests_sweep(now=later + timedelta(minutes=5)).escalated == []
    assert core_banking.stats()["total"] == 1
    # The case page shows the stop in red, as unconfirmed.
    ProtectiveAction.objects.filter(pk=action.pk).update(
        requested_at=timezone.now() - timedelta(minutes=16)
    )
    client.force_login(teller)
    page = client.get(reverse("incidents:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="stop-unconfirmed"' in page and "依頼中・未確認" in page


def test_a_real_worker_freezes_through_the_outbox_and_retries_a_freeze_the_core_missed(
    worker, core_banking, teller, supervisor
):
    from compensation.choices import FreezeStatus
    from compensation.models import FreezeCase
    from compensation.services import policy_version_default_ensure
    from incidents.models import FreezeRequest
    from tests.freezes.conftest import transfer
    from tests.freezes.support import MULE_KEY, FreezeDesk

    worker.environment = core_environment(core_banking)
    worker.start()
    worker.wait_ready()
    policy_version_default_ensure()
    transfer(teller, "910001", amount=300_000)
    transfer(teller, "910002", amount=200_000)
    # A freeze case: opened 凍結依頼中, frozen by the worker once its transaction commits.
    freeze = FreezeDesk(supervisor, MULE_KEY).open()
    assert freeze.status == FreezeStatus.REQUESTED
    wait_for(
        lambda: FreezeCase.objects.filter(pk=freeze.pk, status=FreezeStatus.FROZEN).exists(),
        timeout=30,
        what="the worker to have the freeze confirmed",
    )
    assert FreezeCase.objects.get(pk=freeze.pk).stop_reference.startswith("CB-")
    # The core goes down: a victim's freeze request to our bank fails its first attempt.
    core_banking.stop()
    case = factories.transfer_fraud_case(teller, submit=False)
    victim = factories.freeze_request_to_our_bank(case, teller)
    request = CoreRequest.objects.get(freeze_request=victim)
    wait_for(
        lambda: (
            CoreRequest.objects.filter(pk=request.pk, attempts=1).exclude(last_error="").exists()
        ),
        timeout=30,
        what="the worker's first attempt to fail",
    )
    core_banking.start()
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    sweep_core_requests.delay(now=later)
    sweep_core_requests.delay(now=later)
    wait_for(
        lambda: FreezeRequest.objects.filter(pk=victim.pk, answer="frozen").exists(),
        timeout=30,
        what="the sweep to have the freeze request answered",
    )
    assert core_banking.stats()["stops"] == {str(request.key): 1}
    assert case.events.filter(kind=EventKind.FREEZE_ANSWERED).count() == 1
