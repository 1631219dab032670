"""The outbox is written with the case change: the right events, ids and states only, cheap."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.cases import services
from incidents.cases.signals import TimelineLine
from incidents.deadlines.scan import deadlines_scan
from incidents.devdata.scandata import cases_bulk, deadlines_bulk
from incidents.models import Case, CoreRequest
from tests import factories
from tests.compensation.support import confirm_suggested_faults, submit_and_approve
from tests.corebanking.conftest import card_stop, case_with_proposed_stops
from tests.servers import core_banking, core_simulator
from webhooks.choices import EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.outbox import event_type_of

__all__ = ["core_banking", "core_simulator"]  # fixtures used below

pytestmark = pytest.mark.django_db

# What the test's case holds of its customer, accounts and money (tests/factories.py).
PERSONAL = ("山田", "ヤマダ", "090-1234-5678", "1234567", "123456", "200000", "300000", "丸の内")


def test_each_timeline_kind_named_by_the_brief_becomes_its_event_and_others_none():
    def told(kind: str, **data) -> str | None:
        return event_type_of(TimelineLine(case_id=1, kind=kind, data=data))

    assert told("submitted") == EventType.CASE_SUBMITTED
    assert told("stop_requested") == EventType.STOP_REQUESTED
    assert told("stop_done") == EventType.STOP_CONFIRMED
    assert told("stop_failed") == EventType.STOP_FAILED
    assert told("deadline_overdue") == EventType.DEADLINE_OVERDUE
    assert told("merged") == EventType.CASE_MERGED
    assert told("withdrawal_confirmed") == EventType.CASE_WITHDRAWN
    assert told("status_changed", to="decided") == EventType.DECISION_APPROVED
    assert told("status_changed", to="withdrawn") == EventType.CASE_WITHDRAWN
    assert told("status_changed", to="investigating") is None
    assert told("step_saved") is None and told("deadline_reminded") is None


def test_a_submitted_case_writes_its_events_in_order_with_ids_and_states_only(endpoint, teller):
    case = factories.stolen_card_case(teller)
    events = list(WebhookEvent.objects.filter(case=case).order_by("sequence"))
    types = [event.type for event in events]
    assert types[-1] == EventType.CASE_SUBMITTED
    assert set(types[:-1]) == {EventType.STOP_CONFIRMED}
    assert [event.sequence for event in events] == list(range(1, len(events) + 1))
    submitted = events[-1].payload
    assert submitted["case"] == {"id": case.pk, "status": "reported", "sequence": len(events)}
    assert submitted["type"] == "case.submitted" and submitted["id"] == str(events[-1].event_id)
    stop = events[0].payload["data"]
    assert set(stop) <= {"item", "action_kind"} and isinstance(stop["item"], int)
    text = json.dumps([event.payload for event in events], ensure_ascii=False)
    assert not [word for word in PERSONAL if word in text]
    # One delivery per event to the one endpoint, owed now.
    deliveries = WebhookDelivery.objects.filter(event__case=case)
    assert deliveries.count() == len(events)
    assert {d.state for d in deliveries} == {"pending"}


def test_an_endpoint_gets_only_the_events_it_subscribes_to(endpoint, teller, receiver):
    WebhookEndpoint.objects.create(
        name="only submissions", url=receiver.url, event_types=[EventType.CASE_SUBMITTED]
    )
    WebhookEndpoint.objects.create(name="off", url=receiver.url, event_types=[], active=False)
    case = factories.stolen_card_case(teller)
    by_endpoint = {
        name: sorted(
            WebhookDelivery.objects.filter(event__case=case, endpoint__name=name).values_list(
                "event__type", flat=True
            )
        )
        for name in ("core", "only submissions", "off")
    }
    assert by_endpoint["only submissions"] == ["case.submitted"]
    assert by_endpoint["off"] == []
    assert "case.submitted" in by_endpoint["core"] and len(by_endpoint["core"]) >= 2


def test_without_an_endpoint_a_line_no_webhook_tells_costs_no_query(
    teller, django_assert_num_queries
):
    case = factories.draft(teller)
    with django_assert_num_queries(1):  # the timeline's own insert
        services.timeline_record(case=case, actor=teller, kind="note", message="メモ")
    with django_assert_num_queries(2):  # and one look for an endpoint
        services.timeline_record(case=case, actor=teller, kind="submitted", message="-")
    assert not WebhookEvent.objects.exists()


def test_the_scan_writes_a_batch_of_overdue_events_in_a_fixed_number_of_statements(
    endpoint, branch, teller
):
    now = timezone.now()
    far = now + timedelta(days=30)

    def scan_statements(count: int) -> tuple[int, int]:
        ids = cases_bulk(branch=branch, creator=teller, count=count, start=count * 100)
        deadlines_bulk(case_ids=ids, owner=teller, branch=branch, now=now, due=count * 2, far=far)
        before = WebhookEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            deadlines_scan(now=now)
        hooks = [q["sql"] for q in queries.captured_queries if "webhooks_" in q["sql"]]
        return len(hooks), WebhookEvent.objects.count() - before

    small, small_events = scan_statements(2)
    large, large_events = scan_statements(12)
    assert small_events == 2 and large_events == 12  # the odd (past due) deadlines
    # The endpoint look-up, the counters, the events, the deliveries: whatever the batch's size.
    assert small == large == 4
    overdue = WebhookEvent.objects.filter(type="deadline.overdue").first()
    assert overdue is not None
    assert set(overdue.payload["data"]) == {"deadline", "deadline_kind"}


def test_approving_a_decision_tells_the_decision_id(endpoint, teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(case, teller, other_supervisor)
    event = WebhookEvent.objects.get(case=case, type="decision.approved")
    assert event.payload["data"] == {"decision": decision.pk, "decision_status": "approved"}
    assert event.payload["case"]["status"] == "decided"
    assert "compensation" not in json.dumps(event.payload)  # no amounts, no outcome words
    assert Case.objects.get(pk=case.pk).status == "decided"


def stop_events(case: Case) -> list[tuple[str, dict, dict]]:
    return [
        (event.type, event.payload["data"], event.payload["case"])
        for event in WebhookEvent.objects.filter(case=case).order_by("sequence")
    ]


def stop_asked_of_the_core(core_banking, teller, mode: str) -> tuple[Case, CoreRequest, str]:
    """A card stop asked through the HTTP adapter of the simulator in ``mode``, sent once."""
    core_banking.mode(mode)
    case = case_with_proposed_stops(teller)
    services.action_perform(action=card_stop(case), user=teller)
    request = CoreRequest.objects.get(action__case=case)
    return case, request, services.core_request_send(request_id=request.pk)


def test_a_stop_the_core_refuses_writes_requested_then_failed_with_ids_and_states_only(
    endpoint, core_banking, teller
):
    case, _request, outcome = stop_asked_of_the_core(core_banking, teller, "refuse")
    assert outcome == "refused"
    item = card_stop(case).item_id
    events = stop_events(case)
    assert [(kind, data) for kind, data, _ in events] == [
        ("stop.requested", {"item": item, "action_kind": "card_suspend"}),
        ("stop.failed", {"item": item, "action_kind": "card_suspend"}),
    ]
    assert [told["sequence"] for _, _, told in events] == [1, 2]
    assert {told["status"] for _, _, told in events} == {"draft"}
    text = json.dumps([data for _, data, _ in events], ensure_ascii=False)
    assert "取引制限中" not in text and "refused" not in text  # the core's words stay home


def test_a_stop_the_core_confirms_later_writes_requested_then_confirmed_once(
    endpoint, core_banking, teller
):
    case, request, outcome = stop_asked_of_the_core(core_banking, teller, "accept")
    assert outcome == "accepted"
    # Asked again once due, the core has confirmed it; a confirmation by callback after that
    # changes nothing and tells nothing more.
    later = timezone.now() + timedelta(minutes=5)
    assert services.core_request_send(request_id=request.pk, now=later) == "confirmed"
    services.action_confirm(request_key=str(request.key), reference="CB-AGAIN")
    item = card_stop(case).item_id
    assert [(kind, data) for kind, data, _ in stop_events(case)] == [
        ("stop.requested", {"item": item, "action_kind": "card_suspend"}),
        ("stop.confirmed", {"item": item, "action_kind": "card_suspend"}),
    ]
    assert "CB-" not in json.dumps(stop_events(case))


def test_a_draft_discarded_after_the_core_refused_its_stop_tells_the_receiver_it_was_withdrawn(
    endpoint, core_banking, teller
):
    # The receiver heard of the stop: it must hear that the report ended too.
    case, _request, outcome = stop_asked_of_the_core(core_banking, teller, "refuse")
    assert outcome == "refused"
    services.case_discard_draft(case=case, user=teller)
    told = stop_events(case)
    assert [kind for kind, _, _ in told] == ["stop.requested", "stop.failed", "case.withdrawn"]
    assert told[-1][1] == {"from": "draft", "to": "withdrawn"}
    assert told[-1][2]["status"] == "withdrawn"


def test_a_submitted_report_withdrawn_by_its_status_tells_the_receiver_once(endpoint, teller):
    case = factories.stolen_card_case(teller)
    services.case_transition(case=case, user=teller, to="withdrawn", reason="お客さまの取下げ")
    types = [event.type for event in WebhookEvent.objects.filter(case=case).order_by("sequence")]
    assert types.count(EventType.CASE_WITHDRAWN) == 1 and types[-1] == EventType.CASE_WITHDRAWN


def test_a_merge_tells_both_reports_once_with_each_others_ids(endpoint, teller, supervisor):
    survivor = factories.stolen_card_case(teller)
    duplicate = factories.stolen_card_case(teller, withdrawals=((50000, 110),))
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)

    def merged(case: Case) -> list[dict]:
        return [data for kind, data, _ in stop_events(case) if kind == EventType.CASE_MERGED]

    assert merged(survivor) == [{"merge": merge.pk, "merged": duplicate.pk}]
    assert merged(duplicate) == [{"merge": merge.pk, "survivor": survivor.pk}]


def test_a_confirmed_withdrawal_tells_the_receiver_once_with_the_stops_lifted(
    endpoint, teller, supervisor
):
    case = factories.stolen_card_case(teller, submit=False)
    lifted = list(case.actions.filter(status="done").values_list("pk", flat=True))
    withdrawal = services.withdrawal_request_create(
        case=case, user=teller, reason="カードが見つかったため", stop_ids=lifted
    )
    services.withdrawal_confirm(withdrawal=withdrawal, user=supervisor)
    told = [(data, state) for kind, data, state in stop_events(case) if kind == "case.withdrawn"]
    assert [data for data, _ in told] == [{"withdrawal": withdrawal.pk, "lifted": lifted}]
    assert told[0][1]["status"] == "withdrawn"
    text = json.dumps([data for data, _ in told], ensure_ascii=False)
    assert "カードが見つかった" not in text  # ids and states, never the reason
