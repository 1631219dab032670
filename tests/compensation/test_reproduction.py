"""An approved decision's snapshot, fed to the real `manage.py assess_compensation`, reproduces it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from compensation import services
from incidents.cases import services as incident_services
from tests import factories
from tests.rules.support import run_many

from .support import confirm_suggested_faults, fresh, set_checklist, submit_and_approve

pytestmark = pytest.mark.django_db


def test_the_command_reproduces_approved_decisions_from_their_snapshots(
    tmp_path, client, teller, supervisor, other_supervisor
):
    # A partial (75%) decision with a line before the window, and a corporate case-by-case one.
    partial = factories.stolen_card_case(teller)
    old_tx = partial.transactions.order_by("occurred_at").first()
    incident_services.case_save_transactions(
        case=partial,
        user=teller,
        rows=[
            {
                "id": tx.pk,
                "item": tx.item_id,
                "occurred_at": tx.occurred_at - timedelta(days=45 if tx.pk == old_tx.pk else 0),
                "account_branch": tx.account_branch,
                "account_number": tx.account_number,
                "channel": tx.channel,
                "amount": tx.amount,
                "fee": tx.fee,
                "interest": tx.interest,
            }
            for tx in partial.transactions.all()
        ],
    )
    set_checklist(partial, teller, ["pin_memo_with_card"])
    confirm_suggested_faults(partial, supervisor)
    first = submit_and_approve(partial, teller, other_supervisor)

    corporate = factories.stolen_card_case(teller, withdrawals=((123457, 0),))
    incident_services.case_update(
        case=corporate, user=teller, step="customer", fields={"customer_type": "corporate"}
    )
    confirm_suggested_faults(corporate, supervisor)
    services.case_by_case_rate_set(
        case=fresh(corporate),
        tx=corporate.transactions.get(),
        user=supervisor,
        rate=40,
        reason="法人の内部管理の不備を考慮",
    )
    second = submit_and_approve(corporate, teller, other_supervisor)
    assert first.outcome == "partial" and first.compensation_total == 300220 * 75 // 100
    assert [line["covered"] for line in first.result["lines"]] == [False, True]

    # The snapshot as the decision page serves it: exactly the stored facts.
    client.force_login(teller)
    files = []
    for decision in (first, second):
        response = client.get(
            reverse("compensation:decision_facts", args=[decision.case_id, decision.pk])
        )
        assert response["Content-Disposition"].startswith("attachment;")
        assert json.loads(response.content) == decision.facts
        path = tmp_path / f"decision-{decision.pk}.json"
        path.write_bytes(response.content)
        files.append((str(path), None))

    runs = run_many(files)
    for decision, run in zip((first, second), runs, strict=True):
        assert run.returncode == 0, run.stderr
        output = json.loads(run.stdout)
        # The engine's part of the stored result is reproduced exactly, reasons included.
        assert output == decision.result["assessment"]
        assert output["rules_version"] == decision.rules_version

    # The case-by-case line: the engine leaves it for review; the supervisor's rate is stored
    # beside it, and compensation = floor(claimed × rate / 100).
    (line,) = second.result["lines"]
    (engine_line,) = second.result["assessment"]["transactions"]
    assert engine_line["status"] == "review" and engine_line["rate"] is None
    assert second.result["case_by_case"][0]["rate"] == 40
    assert line["compensation"] == 123457 * 40 // 100 == second.compensation_total
