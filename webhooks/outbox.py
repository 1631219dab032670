"""The outbox's writer: timeline lines become events and deliveries in the same transaction.

Heard on ``incidents.cases.signals.timeline_written`` (one signal per line, or per batch from the
deadline scan). A line whose kind no webhook tells costs nothing; otherwise one query finds the
active endpoints for the whole batch, and an installation without any stops there. With
endpoints, a batch costs a fixed number of statements whatever its size: the cases' states (their
rows locked: a case's counter is taken only under its case's row, so that waits on counters never
close a cycle, docs/webhooks.md), the per-case counters (one upsert, which also locks them until
commit so that a case's events are numbered in the order their transactions commit), the events
and the deliveries (one multi-row insert each). The deliveries are handed to Celery after commit;
the sweep finds any the broker never got.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from compensation.choices import DecisionStatus
from compensation.models import Decision
from incidents.cases.signals import TimelineLine
from incidents.models import Case
from webhooks.choices import (
    ID_KEYS,
    STATE_KEYS,
    STATUS_CHANGED_KIND,
    TYPE_OF_KIND,
    TYPE_OF_STATUS_MOVE,
    EventType,
)
from webhooks.delivery import deliveries_enqueue
from webhooks.models import WebhookCaseCounter, WebhookDelivery, WebhookEndpoint, WebhookEvent


@dataclass(frozen=True)
class _Told:
    case_id: int
    type: str
    data: dict[str, Any]


def event_type_of(line: TimelineLine) -> str | None:
    """The webhook event a timeline line tells, or None."""
    if line.kind == STATUS_CHANGED_KIND:
        return TYPE_OF_STATUS_MOVE.get(str(line.data.get("to", "")))
    return TYPE_OF_KIND.get(line.kind)


def event_data(line: TimelineLine) -> dict[str, Any]:
    """What of a timeline line's data a webhook carries: ids and names of kinds or states only."""
    data: dict[str, Any] = {}
    for key in ID_KEYS:
        value = line.data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            data[key] = value
        elif isinstance(value, list) and all(type(item) is int for item in value):
            data[key] = list(value)
    for key, name in STATE_KEYS.items():
        value = line.data.get(key)
        if isinstance(value, str) and value.isascii() and len(value) <= 40:
            data[name] = value
    return data


def timeline_lines_written(sender: object, lines: Sequence[TimelineLine], **kwargs: Any) -> None:
    """Receiver of ``timeline_written``: the lines' events and deliveries, in the same transaction."""
    told = [
        _Told(line.case_id, kind, event_data(line))
        for line in lines
        if (kind := event_type_of(line)) is not None
    ]
    if told:
        webhook_events_record(events=told)


def webhook_events_record(*, events: Sequence[_Told]) -> list[int]:
    """Write the events that some active endpoint subscribes to, and one delivery per endpoint."""
    types = sorted({event.type for event in events})
    endpoints = list(
        WebhookEndpoint.objects.filter(active=True, event_types__overlap=types).values_list(
            "pk", "event_types"
        )
    )
    if not endpoints:
        return []
    wanted = [event for event in events if any(event.type in kinds for _pk, kinds in endpoints)]
    now = timezone.now()
    with transaction.atomic():
        statuses = _lock_cases({event.case_id for event in wanted})
        decisions = _approved_decisions(
            {event.case_id for event in wanted if event.type == EventType.DECISION_APPROVED}
        )
        sequences = _next_sequences([event.case_id for event in wanted])
        rows = []
        for event in wanted:
            sequence = sequences[event.case_id].pop(0)
            data = dict(event.data)
            if event.type == EventType.DECISION_APPROVED and event.case_id in decisions:
                data = {"decision": decisions[event.case_id], "decision_status": "approved"}
            event_id = uuid.uuid4()
            payload = {
                "id": str(event_id),
                "type": event.type,
                "created_at": now.isoformat(),
                "case": {
                    "id": event.case_id,
                    "status": statuses.get(event.case_id, ""),
                    "sequence": sequence,
                },
                "data": data,
            }
            rows.append((event_id, event, sequence, payload))
        event_ids = _insert_events(rows, now)
        delivery_ids = _insert_deliveries(rows, event_ids, endpoints, now)
    if delivery_ids:
        transaction.on_commit(partial(deliveries_enqueue, delivery_ids=delivery_ids), robust=True)
    return delivery_ids


def _lock_cases(case_ids: set[int]) -> dict[int, str]:
    """Lock the cases' rows (in id order) and read their states: a case's counter is only ever
    taken by a transaction holding its case row. An edit holds it already (``case_edit``) and
    the deadline scan took it with its batch without waiting, so this waits for nothing they
    need; a writer outside both waits here, holding no counter, instead of between counters."""
    return dict(
        Case.objects.filter(pk__in=case_ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", "status")
    )


def _approved_decisions(case_ids: set[int]) -> dict[int, int]:
    """Each case's decision approved last (the one its move to "decided" approved)."""
    if not case_ids:
        return {}
    found: dict[int, int] = {}
    for case_id, pk in (
        Decision.objects.filter(case_id__in=case_ids, status=DecisionStatus.APPROVED)
        .order_by("case_id", "-reviewed_at", "-pk")
        .values_list("case_id", "pk")
    ):
        found.setdefault(case_id, pk)
    return found


def _next_sequences(case_ids: list[int]) -> dict[int, list[int]]:
    """Reserve each case's next sequence numbers (one upsert; the counters stay locked until
    commit, so a later transaction of the same case numbers after this one commits). The caller
    holds the cases' rows (``_lock_cases``), so no two transactions ever wait on each other's
    counters."""
    counts: dict[int, int] = {}
    for case_id in case_ids:
        counts[case_id] = counts.get(case_id, 0) + 1
    ordered = sorted(counts)  # one lock order for every writer
    table = WebhookCaseCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS c (case_id, last) "  # noqa: S608 - the table's name; values are parameters
            "SELECT v.case_id, v.n FROM unnest(%s::bigint[], %s::bigint[]) AS v(case_id, n) "
            "ON CONFLICT (case_id) DO UPDATE SET last = c.last + EXCLUDED.last "
            "RETURNING c.case_id, c.last",
            [ordered, [counts[case_id] for case_id in ordered]],
        )
        last = dict(cursor.fetchall())
    return {
        case_id: list(range(last[case_id] - counts[case_id] + 1, last[case_id] + 1))
        for case_id in ordered
    }


def _insert_events(rows: list, now: Any) -> list[int]:
    table = WebhookEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (event_id, case_id, type, sequence, payload, created_at) "  # noqa: S608 - the table's name; values are parameters
            "SELECT e, c, t, s, p::jsonb, %s FROM unnest(%s::uuid[], %s::bigint[], %s::text[], "
            "%s::bigint[], %s::text[]) WITH ORDINALITY AS v(e, c, t, s, p, o) ORDER BY o "
            "RETURNING id",
            [
                now,
                [event_id for event_id, _e, _s, _p in rows],
                [event.case_id for _i, event, _s, _p in rows],
                [event.type for _i, event, _s, _p in rows],
                [sequence for _i, _e, sequence, _p in rows],
                [_json(payload) for _i, _e, _s, payload in rows],
            ],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _insert_deliveries(
    rows: list, event_ids: list[int], endpoints: list[tuple[int, list[str]]], now: Any
) -> list[int]:
    columns: list[list[int]] = [[], [], [], []]
    for (_event_id, event, sequence, _payload), pk in zip(rows, event_ids, strict=True):
        for endpoint_id, kinds in endpoints:
            if event.type in kinds:
                for column, value in zip(
                    columns, (endpoint_id, pk, event.case_id, sequence), strict=True
                ):
                    column.append(value)
    table = WebhookDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (endpoint_id, event_id, case_id, sequence, state, attempts, "  # noqa: S608 - the table's name; values are parameters
            "next_attempt_at, last_error, created_at) SELECT n, e, c, s, 'pending', 0, %s, '', %s "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]) AS v(n, e, c, s) "
            "RETURNING id",
            [now, now, *columns],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
