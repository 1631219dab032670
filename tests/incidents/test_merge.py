"""Merging a duplicate report into the surviving case, and undoing it (issue 13)."""

from __future__ import annotations

import uuid

import pytest

from incidents.cases import services
from incidents.cases.edits import EditStamp
from incidents.models import Case, CaseEdit, Deadline
from incidents.models.choices import CaseStatus, DeadlineState
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(teller):
    """The same customer (123456) reported twice at the same branch: both with a card, its
    stops and two withdrawals, and each owing the customer's documents."""
    survivor = factories.stolen_card_case(teller)
    duplicate = factories.stolen_card_case(teller, withdrawals=((50000, 110),))
    return survivor, duplicate


def rows(case):
    return {
        "items": set(case.items.values_list("pk", flat=True)),
        "actions": set(case.actions.values_list("pk", flat=True)),
        "transactions": set(case.transactions.values_list("pk", flat=True)),
        "deadlines": set(
            Deadline.objects.filter(case=case).values_list("pk", "state").order_by("pk")
        ),
    }


def stamp_of(case):
    case.refresh_from_db()
    return EditStamp(version=case.version, key=uuid.uuid4(), digest="merge")


def test_a_merge_moves_every_row_and_leaves_the_duplicate_read_only_with_a_link(supervisor, pair):
    survivor, duplicate = pair
    before = rows(duplicate)
    assert before["items"] and before["actions"] and before["transactions"]
    services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    assert duplicate.merged_into == survivor
    assert before["items"] <= rows(survivor)["items"]
    assert before["actions"] <= rows(survivor)["actions"]
    assert before["transactions"] <= rows(survivor)["transactions"]
    assert survivor.transactions.count() == 3
    assert not duplicate.items.exists() and not duplicate.transactions.exists()
    # The duplicate owed what the survivor owes: cancelled, nothing is chased twice.
    assert not Deadline.objects.filter(
        case=duplicate, state__in=["open", "overdue", "escalated"]
    ).exists()
    assert survivor.events.filter(kind="merged", data__merged=duplicate.pk).exists()
    assert duplicate.events.filter(kind="merged", data__survivor=survivor.pk).exists()
    # The history has the move of each row.
    assert duplicate.history.filter(status="merged").exists()


def test_undo_moves_back_exactly_the_rows_that_came_from_the_merged_case(supervisor, pair):
    survivor, duplicate = pair
    own, theirs = rows(survivor), rows(duplicate)
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    services.case_merge_undo(merge=merge, user=supervisor)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert rows(survivor) == own
    assert rows(duplicate) == theirs
    assert duplicate.status == CaseStatus.REPORTED
    assert duplicate.merged_into is None
    assert duplicate.events.filter(kind="merge_undone").exists()
    assert survivor.events.filter(kind="merge_undone").exists()
    merge.refresh_from_db()
    assert merge.undone_by == supervisor
    assert "a0011234567" in duplicate.search_text


def test_item_positions_come_back_as_they_were(supervisor, pair):
    survivor, duplicate = pair
    positions = list(duplicate.items.values_list("pk", "position"))
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    assert (
        list(survivor.items.values_list("position", flat=True)) == [1, 2]
        or len(set(survivor.items.values_list("position", flat=True))) == survivor.items.count()
    )
    services.case_merge_undo(merge=merge, user=supervisor)
    assert list(duplicate.items.values_list("pk", "position")) == positions


def test_a_teller_may_not_merge(teller, pair):
    survivor, duplicate = pair
    with pytest.raises(services.MergeError, match="役席"):
        services.case_merge(survivor=survivor, duplicate=duplicate, user=teller)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REPORTED


def test_cases_of_two_customers_are_not_merged(teller, supervisor):
    survivor = factories.stolen_card_case(teller)
    other = factories.draft(teller, customer_number="765432")
    services.case_update(
        case=other, user=teller, step="police", fields={"police_status": "not_yet"}
    )
    other.status = CaseStatus.REPORTED
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.REPORTED, number="001-X-1")
    with pytest.raises(services.MergeError, match="同じお客さま"):
        services.case_merge(survivor=survivor, duplicate=other, user=supervisor)


def test_another_branchs_case_is_out_of_scope(supervisor, other_teller, teller):
    survivor = factories.stolen_card_case(teller)
    elsewhere = factories.stolen_card_case(other_teller)
    with pytest.raises(services.MergeError, match="役席"):
        services.case_merge(survivor=survivor, duplicate=elsewhere, user=supervisor)


@pytest.mark.parametrize("status", ["decided", "paid", "closed", "withdrawn"])
def test_a_decided_or_finished_case_is_never_merged(supervisor, pair, status):
    survivor, duplicate = pair
    Case.objects.filter(pk=duplicate.pk).update(status=status)
    duplicate.refresh_from_db()
    with pytest.raises(services.MergeError):
        services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    Case.objects.filter(pk=duplicate.pk).update(status="reported")
    Case.objects.filter(pk=survivor.pk).update(status=status)
    survivor.refresh_from_db()
    with pytest.raises(services.MergeError):
        services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)


def test_no_undo_once_the_survivor_is_decided(supervisor, pair):
    survivor, duplicate = pair
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    Case.objects.filter(pk=survivor.pk).update(status=CaseStatus.DECIDED)
    merge.refresh_from_db()
    with pytest.raises(services.MergeError, match="決定"):
        services.case_merge_undo(merge=merge, user=supervisor)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED


def test_a_merged_case_refuses_every_other_write(supervisor, teller, pair):
    survivor, duplicate = pair
    services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    with pytest.raises(services.StaleCaseError):
        services.case_update(
            case=duplicate, user=teller, step="customer", fields={"customer_name": "別人"}
        )
    duplicate.refresh_from_db()
    assert duplicate.customer_name == "山田 太郎"


def test_a_stale_version_of_either_case_is_refused_and_a_double_post_merges_once(supervisor, pair):
    survivor, duplicate = pair
    stamp = stamp_of(survivor)
    duplicate.refresh_from_db()
    with pytest.raises(services.StaleCaseError):
        services.case_merge(
            survivor=survivor,
            duplicate=duplicate,
            user=supervisor,
            stamp=stamp,
            duplicate_version=duplicate.version - 1,
        )
    assert Case.objects.get(pk=duplicate.pk).status == CaseStatus.REPORTED
    services.case_merge(
        survivor=survivor,
        duplicate=duplicate,
        user=supervisor,
        stamp=stamp,
        duplicate_version=duplicate.version,
    )
    with pytest.raises(services.EditReplayed):
        services.case_merge(
            survivor=survivor,
            duplicate=duplicate,
            user=supervisor,
            stamp=stamp,
            duplicate_version=duplicate.version,
        )
    assert survivor.merges_in.count() == 1
    assert CaseEdit.objects.filter(key=stamp.key).count() == 2  # one edit on each case


def test_undo_is_refused_when_something_was_recorded_on_a_moved_item_since(
    supervisor, teller, pair
):
    survivor, duplicate = pair
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    moved_item = merge.moved["items"][0][0]
    tx = survivor.transactions.filter(item_id=moved_item).first()
    # A transaction recorded on the survivor after the merge, about the moved card.
    services.case_save_transactions(
        case=survivor,
        user=teller,
        rows=[
            *[
                {
                    "id": t.pk,
                    "item": t.item_id,
                    "occurred_at": t.occurred_at,
                    "account_branch": t.account_branch,
                    "account_number": t.account_number,
                    "channel": t.channel,
                    "amount": t.amount,
                    "fee": t.fee,
                    "interest": t.interest,
                }
                for t in survivor.transactions.all()
            ],
            {
                "item": moved_item,
                "occurred_at": tx.occurred_at,
                "account_branch": "001",
                "account_number": "1234567",
                "channel": "atm_withdrawal",
                "amount": 1000,
                "fee": 0,
                "interest": 0,
            },
        ],
    )
    with pytest.raises(services.MergeError, match="取り消せません"):
        services.case_merge_undo(merge=merge, user=supervisor)


def test_deadlines_cancelled_by_the_merge_are_owed_again_after_undo(supervisor, pair):
    survivor, duplicate = pair
    owed = set(
        Deadline.objects.filter(case=duplicate, state=DeadlineState.OPEN).values_list(
            "pk", flat=True
        )
    )
    merge = services.case_merge(survivor=survivor, duplicate=duplicate, user=supervisor)
    services.case_merge_undo(merge=merge, user=supervisor)
    assert (
        set(
            Deadline.objects.filter(case=duplicate, state=DeadlineState.OPEN).values_list(
                "pk", flat=True
            )
        )
        == owed
    )


# --- The case page -------------------------------------------------------------------------


def detail(client, case):
    from django.urls import reverse

    return client.get(reverse("incidents:case_detail", args=[case.pk])).content.decode()


def test_the_supervisor_sees_open_reports_of_the_same_customer_as_candidates(
    client, supervisor, teller, pair
):
    survivor, duplicate = pair
    client.force_login(supervisor)
    page = detail(client, survivor)
    assert 'data-testid="merge-candidate"' in page
    assert duplicate.number in page
    client.force_login(teller)
    assert 'data-testid="merge-candidate"' not in detail(client, survivor)


def reported(case: Case, number: str) -> Case:
    """A report as the monitoring center's night call leaves it: open, numbered."""
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.REPORTED, number=number)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(
    ("customer", "offered"),
    [
        # A night call often has no customer number: the same kana and phone are the customer.
        ({"customer_number": ""}, True),
        ({"customer_number": "", "customer_phone": "03-9999-0000"}, False),
        # The same kana but another customer number is another customer.
        ({"customer_number": "765432"}, False),
        ({"customer_number": "765432", "customer_name_kana": "スズキ イチロウ"}, False),
    ],
)
def test_a_report_is_offered_for_merging_only_when_it_is_of_the_same_customer(
    client, supervisor, teller, customer, offered
):
    survivor = factories.stolen_card_case(teller)
    other = reported(factories.draft(teller, **customer), "001-X-1")
    client.force_login(supervisor)
    page = detail(client, survivor)
    assert ('data-testid="merge-candidate"' in page) is offered
    assert (other.number in page) is offered


def test_the_documents_tab_lists_the_merged_reports_attachments_marked_with_its_number(
    client, supervisor, teller, pair, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from incidents.attachments import services as documents

    settings.MAMORI_ATTACHMENT_ROOT = str(tmp_path)
    survivor, duplicate = pair
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    documents.attachment_add(
        case=duplicate, user=teller, kind="other", upload=SimpleUploadedFile("重複.pdf", pdf)
    )
    client.force_login(supervisor)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    client.post(
        reverse("incidents:case_merge", args=[survivor.pk]),
        factories.stamped(survivor, duplicate=duplicate.pk, duplicate_version=duplicate.version),
    )
    tab = client.get(reverse("incidents:case_documents", args=[survivor.pk]) + "?partial=1")
    html = tab.content.decode()
    assert "重複.pdf" in html and 'data-testid="attachment-merged"' in html
    assert f"統合した届出 {duplicate.number}" in html
    # Merged again, into a third report of the customer: the document goes with it.
    last = factories.stolen_card_case(teller)
    survivor.refresh_from_db()
    services.case_merge(survivor=last, duplicate=survivor, user=supervisor)
    tab = client.get(reverse("incidents:case_documents", args=[last.pk]) + "?partial=1")
    assert f"統合した届出 {duplicate.number}" in tab.content.decode()


def test_merging_through_the_page_and_undoing_it(client, supervisor, pair):
    from django.urls import reverse

    survivor, duplicate = pair
    client.force_login(supervisor)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    response = client.post(
        reverse("incidents:case_merge", args=[survivor.pk]),
        factories.stamped(survivor, duplicate=duplicate.pk, duplicate_version=duplicate.version),
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED
    page = detail(client, survivor)
    assert 'data-testid="merged-case"' in page
    timeline = client.get(reverse("incidents:case_timeline", args=[survivor.pk])).content.decode()
    assert 'data-testid="event-merged"' in timeline  # the duplicate's timeline shown here too
    merged_page = detail(client, duplicate)
    assert 'data-testid="merged-banner"' in merged_page
    assert 'data-testid="survivor-link"' in merged_page
    assert 'data-testid="edit-details"' not in merged_page  # read-only
    merge = survivor.merges_in.get()
    response = client.post(
        reverse("incidents:case_merge_undo", args=[survivor.pk, merge.pk]),
        factories.stamped(survivor, duplicate_version=duplicate.version),
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REPORTED


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"duplicate": "abc", "duplicate_version": "1"},
        {"duplicate": "99999999", "duplicate_version": "1"},
        {"duplicate": "１", "duplicate_version": "²"},
        {"duplicate": "1" * 40, "duplicate_version": "-1"},
    ],
)
def test_a_bad_merge_form_gets_a_message_never_an_error(client, supervisor, pair, data):
    from django.urls import reverse

    survivor, duplicate = pair
    client.force_login(supervisor)
    response = client.post(
        reverse("incidents:case_merge", args=[survivor.pk]),
        factories.stamped(survivor, data),
        follow=True,
    )
    assert response.status_code == 200
    assert "統合する届出を選び直してください" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.REPORTED


def test_a_case_page_without_merges_or_duplicates_asks_nothing_more_about_them(
    client, supervisor, teller
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    lone = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    detail(client, lone)
    with CaptureQueriesContext(connection) as page:
        detail(client, lone)
    separate = [
        q["sql"]
        for q in page.captured_queries
        if q["sql"].startswith('SELECT "incidents_casemerge"')
        or ("EXISTS" not in q["sql"] and '"customer_number" = ' in q["sql"])
    ]
    assert separate == []


def test_a_night_call_without_a_number_is_offered_the_branchs_report_of_the_same_kana_and_phone(
    client, supervisor, teller
):
    night = reported(factories.draft(teller, customer_number=""), "001-X-2")
    morning = factories.stolen_card_case(teller)
    client.force_login(supervisor)
    page = detail(client, night)
    assert 'data-testid="merge-candidate"' in page and morning.number in page


def test_a_merge_whose_survivor_was_merged_on_is_undone_only_after_the_later_merge(
    supervisor, teller
):
    first, second, third = (factories.stolen_card_case(teller) for _ in range(3))
    own = rows(first)
    earlier = services.case_merge(survivor=second, duplicate=first, user=supervisor)
    second.refresh_from_db()
    later = services.case_merge(survivor=third, duplicate=second, user=supervisor)
    earlier.refresh_from_db()
    # Undone now, the first report would come back without its rows (they are on the third).
    assert services.undo_refusal(user=supervisor, merge=earlier)
    with pytest.raises(services.MergeError, match="先にその統合を取り消して"):
        services.case_merge_undo(merge=earlier, user=supervisor)
    first.refresh_from_db()
    assert first.status == CaseStatus.MERGED
    services.case_merge_undo(merge=later, user=supervisor)
    earlier.refresh_from_db()
    services.case_merge_undo(merge=earlier, user=supervisor)
    first.refresh_from_db()
    assert first.status != CaseStatus.MERGED and rows(first) == own


def test_a_report_merged_into_a_report_later_merged_again_keeps_its_timeline_on_the_last(
    client, supervisor, teller
):
    from django.urls import reverse

    first, second, last = (factories.stolen_card_case(teller) for _ in range(3))
    services.case_merge(survivor=second, duplicate=first, user=supervisor)
    second.refresh_from_db()
    services.case_merge(survivor=last, duplicate=second, user=supervisor)
    client.force_login(supervisor)
    url = reverse("incidents:case_timeline", args=[last.pk]) + "?partial=1"
    timeline = client.get(url).content.decode()
    shown = timeline.count("<li>")
    assert shown == sum(case.events.count() for case in (first, second, last))
    assert f"統合した届出 {first.number}" in timeline
    assert f"統合した届出 {second.number}" in timeline


def test_the_survivors_change_history_says_its_new_rows_came_by_the_merge(client, supervisor, pair):
    from django.urls import reverse

    from incidents.audit.selectors import case_history

    survivor, duplicate = pair
    moved = duplicate.items.count() + duplicate.transactions.count()
    own = len(case_history(case=survivor))
    client.force_login(supervisor)
    client.post(
        reverse("incidents:case_merge", args=[survivor.pk]),
        factories.stamped(survivor, duplicate=duplicate.pk, duplicate_version=duplicate.version),
    )
    history = case_history(case=survivor)
    arrived = f"統合により移動（受付番号 {duplicate.number} から）"
    arrivals = [entry for entry in history if entry.action == arrived]
    assert len(arrivals) >= moved > 0
    assert all(entry.user == supervisor.display_name for entry in arrivals)
    assert not any(entry.action == arrived for entry in history[:own])  # its own rows stay its own
    page = client.get(reverse("incidents:case_history", args=[survivor.pk]) + "?partial=1")
    assert arrived in page.content.decode()
