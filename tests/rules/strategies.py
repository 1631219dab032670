"""Hypothesis strategies: valid facts and policies, arbitrary JSON, and mutated valid inputs."""

from __future__ import annotations

import copy
import datetime
from typing import Any

from hypothesis import strategies as st

from compensation.rules import (
    CHECKLIST_CODES,
    FAULTS,
    ITEM_KINDS,
    TAKEN_BY_VALUES,
    Facts,
    Item,
    Policy,
    Requirements,
    Transaction,
    facts_to_dict,
)

FIRST_NOTICE = datetime.date(2021, 1, 1)
LAST_NOTICE = datetime.date(2030, 12, 31)

rates = st.none() | st.integers(0, 100)
ids = st.text(min_size=1, max_size=6)
yen = st.one_of(st.integers(0, 10**7), st.integers(0, 10**12), st.sampled_from([0, 1, 99, 333]))


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """A valid policy: gross negligence online never pays more than negligence."""
    negligence = draw(rates)
    gross = draw(rates)
    if negligence is not None and gross is not None and gross > negligence:
        negligence, gross = gross, negligence
    return Policy(
        window_days=draw(st.integers(1, 90)),
        stolen_card_negligence_rate=draw(rates),
        passbook_negligence_rate=draw(rates),
        online_banking_negligence_rate=negligence,
        online_banking_gross_negligence_rate=gross,
        n3_requires_bank_request=draw(st.booleans()),
    )


@st.composite
def facts(draw: st.DrawFn, min_transactions: int = 0) -> Facts:
    """Valid facts of one case: up to three items and six transactions around the notice day."""
    notified_on = draw(st.dates(FIRST_NOTICE, LAST_NOTICE))
    around = st.dates(
        notified_on - datetime.timedelta(days=900), notified_on + datetime.timedelta(days=5)
    )
    item_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    items = tuple(
        Item(
            item_id,
            draw(st.sampled_from(ITEM_KINDS)),
            draw(st.none() | around),
            draw(st.none() | st.sampled_from(FAULTS)),
        )
        for item_id in item_ids
    )
    tx_ids = draw(st.lists(ids, min_size=min_transactions, max_size=6, unique=True))
    transactions = tuple(
        Transaction(
            tx_id,
            draw(st.sampled_from(item_ids)),
            draw(around),
            draw(yen),
            draw(st.integers(0, 1000) | yen),
            draw(st.integers(0, 1000)),
        )
        for tx_id in tx_ids
    )
    return Facts(
        notified_on=notified_on,
        items=items,
        transactions=transactions,
        customer_type=draw(st.sampled_from(["individual", "individual", "corporate"])),
        requirements=Requirements(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
        checklist=draw(st.frozensets(st.sampled_from(CHECKLIST_CODES), max_size=5)),
        bank_at_fault=draw(st.booleans()),
        taken_by=draw(st.none() | st.sampled_from(TAKEN_BY_VALUES)),
        false_explanation=draw(st.booleans()),
        war_or_riot=draw(st.booleans()),
        unavoidable_days=draw(st.integers(0, 60)),
    )


FIELD_NAMES = [
    "customer_type",
    "notified_on",
    "items",
    "requirements",
    "checklist",
    "bank_at_fault",
    "taken_by",
    "false_explanation",
    "war_or_riot",
    "unavoidable_days",
    "policy",
    "transactions",
    "id",
    "kind",
    "occurred_on",
    "fault",
    "item",
    "date",
    "amount",
    "fee",
    "interest",
    "window_days",
    "police_report",
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**13), 10**13),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        ["2026-03-31", "2024-02-29", "2026-02-30", "stolen_card", "i1", "\ud800", *CHECKLIST_CODES]
    ),
)
json_keys = st.text(max_size=8) | st.sampled_from(FIELD_NAMES)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_keys, children, max_size=5)
    ),
    max_leaves=25,
)
json_objects = st.dictionaries(json_keys, json_values, max_size=8)


def _slots(data: Any, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) pair inside a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((data, key))
            _slots(value, found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.append((data, index))
            _slots(value, found)
    return found


@st.composite
def valid_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid input document in the contract's shape."""
    return facts_to_dict(draw(facts()), draw(policies()))


@st.composite
def mutated_inputs(draw: st.DrawFn) -> Any:
    """A valid input with one to three values replaced, removed or added anywhere inside it."""
    data: Any = copy.deepcopy(draw(valid_inputs()))
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(data, [])
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            container[key] = draw(json_values)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[draw(json_keys)] = draw(json_values)
        else:
            container.append(draw(json_values))
    return data
