"""The guarded path under real concurrency: requests in parallel threads, each on its own
PostgreSQL connection and transaction, released together. Two editors of one case, one form
double-posted, twenty first steps with one intake token, one after-hours call posted at once."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.models import Case, UnauthorizedTransaction
from tests import factories
from tests.desk.test_monitoring import call_form
from tests.incidents.test_intake_views import day, item_post, tx_post

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(count: int, request) -> list:
    """Run ``request(i)`` in ``count`` threads released together; their responses, in order."""
    barrier = threading.Barrier(count, timeout=30)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = request(index)
        except BaseException as error:  # reported below, never lost in the thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    return results


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def correct_url(case, section: str) -> str:
    return reverse("incidents:case_correct", args=[case.pk, section])


def test_two_editors_of_one_case_one_wins_and_the_other_is_told(
    teller, supervisor, other_supervisor
):
    case = factories.stolen_card_case(teller, withdrawals=())
    item = case.items.get()
    forms = [
        factories.stamped(case, tx_post(item, amount="100,000", occurred_at=f"{day(-2)}T10:00")),
        factories.stamped(case, tx_post(item, amount="300,000", occurred_at=f"{day(-2)}T11:00")),
    ]
    clients = [signed_in(supervisor), signed_in(other_supervisor)]
    responses = at_once(2, lambda i: clients[i].post(correct_url(case, "transactions"), forms[i]))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 302]  # one saved; the other sees the form again, refused
    refused = next(r for r in responses if r.status_code == 200)
    assert "他の職員が更新しました" in refused.content.decode()
    amounts = list(
        UnauthorizedTransaction.objects.filter(case=case).values_list("amount", flat=True)
    )
    assert len(amounts) == 1 and amounts[0] in (100_000, 300_000)


def test_two_editors_of_the_checklist_one_wins(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    forms = [
        factories.stamped(case, {"card": ["pin_memo_with_card"], "circumstances_note": "一人目"}),
        factories.stamped(case, {"card": ["intoxicated"], "circumstances_note": "二人目"}),
    ]
    clients = [signed_in(supervisor), signed_in(other_supervisor)]
    responses = at_once(2, lambda i: clients[i].post(correct_url(case, "checklist"), forms[i]))
    assert sorted(r.status_code for r in responses) == [200, 302]
    case.refresh_from_db()
    winner = 0 if responses[0].status_code == 302 else 1
    assert case.circumstances_note == ("一人目", "二人目")[winner]


def test_one_form_double_posted_at_once_adds_its_row_once(teller):
    case = factories.draft(teller)
    client = signed_in(teller)
    client.post(
        reverse("incidents:intake_step", args=[case.pk, "items"]),
        factories.stamped(
            case,
            {
                "items-TOTAL_FORMS": "1",
                "items-INITIAL_FORMS": "0",
                "items-0-kind": "cash_card",
                "items-0-state": "stolen",
                "items-0-account_branch": "001",
                "items-0-account_number": "1234567",
                "items-0-occurred_on": day(-3),
                "items-0-noticed_on": day(-2),
            },
        ),
    )
    item = case.items.get()
    clicked = factories.stamped(case, tx_post(item))  # one rendering of the form
    clients = [signed_in(teller), signed_in(teller)]
    url = reverse("incidents:intake_step", args=[case.pk, "transactions"])
    responses = at_once(2, lambda i: clients[i].post(url, clicked))
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    rows = UnauthorizedTransaction.objects.filter(case=case)
    assert rows.count() == 1 and rows.get().claimed == 200_220


def test_twenty_first_steps_with_one_intake_token_open_one_draft(teller):
    token = str(uuid.uuid4())
    data = {
        "intake_token": token,
        "channel": "counter",
        "reporter_relation": "self",
        "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "next": "1",
    }
    clients = [signed_in(teller) for _ in range(20)]
    responses = at_once(20, lambda i: clients[i].post(reverse("incidents:case_new"), data))
    assert {r.status_code for r in responses} == {302}
    assert Case.objects.filter(intake_token=token).count() == 1
    assert len({r["Location"] for r in responses}) == 1


def test_one_after_hours_call_posted_four_times_at_once_opens_one_case_and_no_error(
    monitoring_agent, branch
):
    data = call_form(intake_token=str(uuid.uuid4()))
    clients = [signed_in(monitoring_agent) for _ in range(4)]
    url = reverse("incidents:monitoring_call_new")
    responses = at_once(4, lambda i: clients[i].post(url, data))
    assert [r.status_code for r in responses] == [302] * 4
    case = Case.objects.get(intake_token=data["intake_token"])
    assert case.items.count() == 2 and case.actions.count() > 0
    # The losers took no number: the branch's next call has the next one, no gap.
    clients[0].post(url, call_form(intake_token=str(uuid.uuid4())))
    numbers = sorted(Case.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2]


def items_post(case, *, note: str, item=None) -> dict:
    """The items step as one rendering of it sends it: a card, with ``note``."""
    data = item_post(note=note, **({"id": str(item.pk)} if item is not None else {}))
    if item is not None:
        data["items-INITIAL_FORMS"] = "1"
    return factories.stamped(case, data)


def test_the_items_step_double_posted_at_once_and_resubmitted_adds_its_item_once(teller):
    case = factories.draft(teller)
    url = reverse("incidents:intake_step", args=[case.pk, "items"])
    clicked = items_post(case, note="財布ごと")  # one rendering of the form
    clients = [signed_in(teller), signed_in(teller)]
    responses = at_once(2, lambda i: clients[i].post(url, clicked))
    assert [r.status_code for r in responses] == [302, 302]
    assert case.items.count() == 1
    # Back in the browser and the same page saved again: nothing is added.
    again = clients[0].post(url, clicked)
    assert again.status_code in (200, 302)
    assert case.items.count() == 1


def test_two_editors_of_the_items_step_one_wins_and_the_other_keeps_what_was_typed(teller):
    case = factories.draft(teller)
    url = reverse("incidents:intake_step", args=[case.pk, "items"])
    assert signed_in(teller).post(url, items_post(case, note="最初")).status_code == 302
    item = case.items.get()
    forms = [items_post(case, note="一人目", item=item), items_post(case, note="二人目", item=item)]
    clients = [signed_in(teller), signed_in(teller)]
    responses = at_once(2, lambda i: clients[i].post(url, forms[i]))
    assert sorted(r.status_code for r in responses) == [200, 302]
    winner = 0 if responses[0].status_code == 302 else 1
    refused = responses[1 - winner].content.decode()
    assert "他の職員が更新しました" in refused
    assert ("一人目", "二人目")[1 - winner] in refused  # the typed value is on screen again
    item.refresh_from_db()
    assert item.note == ("一人目", "二人目")[winner] and case.items.count() == 1
