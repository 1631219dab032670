"""Transfer fraud (振り込め詐欺等, docs/domain.md §9) and elderly customers (§10): the intake's
fraud step, the proposed stops, freeze requests to receiving banks and their deadlines."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.cases import services
from incidents.cases.protection import age_on
from incidents.cases.selectors import case_submission_problems
from incidents.deadlines.remedy import remedy_application_due_at
from incidents.intake.forms import TransactionForm
from incidents.intake.steps import steps_for
from incidents.models import Case, Deadline, FreezeRequest, ProtectionPolicy
from incidents.models.choices import ActionStatus, DeadlineState, EventKind
from tests import factories

pytestmark = pytest.mark.django_db
D = datetime.date
NO_SIGNS = {"sign_atm_call": False, "sign_home_visit": False, "sign_pin_asked": False}


def fraud_fields(**fields) -> dict:
    return {"fraud_approach": "", "fraud_approach_note": "", **NO_SIGNS, **fields}


def elderly_draft(teller, birth: D, **kwargs) -> Case:
    """A draft whose customer step gave a birth date, saved as the intake's customer step saves."""
    case = factories.draft(teller, **kwargs)
    services.case_save_customer(
        case=case, user=teller, step="customer", fields={"customer_birth_date": birth}
    )
    return case


def born_years_before(years: int, *, days: int = 0) -> D:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + timedelta(days=days)


# --- The fraud step ----------------------------------------------------------------------------


def test_a_yes_to_a_warning_sign_flags_the_case_and_opens_the_transfer_fraud_path(teller):
    case = factories.draft(teller)
    services.case_save_fraud(
        case=case, user=teller, step="fraud", fields=fraud_fields(sign_pin_asked=True)
    )
    case.refresh_from_db()
    assert case.supervisor_flagged and case.sign_pin_asked
    assert [(i.kind, i.state) for i in case.items.all()] == [("transfer_fraud", "deceived")]
    assert set(case.actions.values_list("kind", flat=True)) == {
        "receiving_freeze",
        "transfer_limit",
        "atm_limit",
    }
    assert case.events.filter(kind=EventKind.SUPERVISOR_FLAGGED).count() == 1


def test_choosing_an_approach_opens_the_path_without_flagging_and_only_once(teller):
    case = factories.draft(teller)
    for _ in range(2):
        services.case_save_fraud(
            case=case, user=teller, step="fraud", fields=fraud_fields(fraud_approach="romance")
        )
    case.refresh_from_db()
    assert not case.supervisor_flagged
    assert case.items.filter(kind="transfer_fraud").count() == 1


def test_no_sign_and_no_approach_opens_nothing(teller):
    case = factories.draft(teller)
    services.case_save_fraud(case=case, user=teller, step="fraud", fields=fraud_fields())
    assert not case.items.exists() and not Case.objects.get(pk=case.pk).supervisor_flagged


def test_a_transfer_fraud_item_is_not_submitted_without_its_approach(teller):
    case = factories.draft(teller)
    services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "kind": "transfer_fraud",
                "state": "deceived",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": factories.today(),
                "noticed_on": factories.today(),
            }
        ],
    )
    assert "振り込め詐欺等の被害の手口を選んでください。" in case_submission_problems(case)
    assert "fraud" in [step.slug for step in steps_for(case)]


def test_the_transfers_of_a_deceived_customer_may_be_made_at_the_counter_and_name_the_payee(
    teller,
):
    case = factories.transfer_fraud_case(teller, submit=False)
    item = case.items.get(kind="transfer_fraud")
    data = {
        "item": str(item.pk),
        "occurred_at": "2026-04-01T10:00",
        "account_branch": "001",
        "account_number": "1234567",
        "channel": "counter_transfer",
        "amount": "300,000",
    }
    form = TransactionForm(data, items=[item])
    assert not form.is_valid()
    assert form.errors["payee_bank"] == ["振込の場合は振込先を入力してください。"]
    withdrawal = TransactionForm({**data, "channel": "atm_withdrawal"}, items=[item])
    assert "この届出対象では行えない取引種類です。" in withdrawal.errors["channel"]


def test_the_fraud_step_page_saves_a_yes_and_moves_on_to_the_stops(teller_client, teller):
    case = factories.draft(teller, customer_birth_date=born_years_before(80))
    url = reverse("incidents:intake_step", args=[case.pk, "fraud"])
    page = teller_client.get(url)
    assert page.status_code == 200 and "ATMで還付金は受け取れません" in page.content.decode()
    response = teller_client.post(
        url, factories.stamped(case, fraud_fields(sign_atm_call="True", fraud_approach="refund"))
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/intake/stops/")
    case.refresh_from_db()
    assert case.supervisor_flagged and case.fraud_approach == "refund"


def test_the_fraud_step_refuses_a_missing_answer_in_japanese(teller_client, teller):
    case = factories.draft(teller, customer_birth_date=born_years_before(80))
    url = reverse("incidents:intake_step", args=[case.pk, "fraud"])
    response = teller_client.post(url, factories.stamped(case, {"fraud_approach": "other"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert "「はい」か「いいえ」を選んでください。" in body
    assert "「その他」の場合は手口を入力してください。" in body


# --- Elderly customers -------------------------------------------------------------------------


def test_age_on_counts_whole_years_and_a_leap_day_birthday():
    assert age_on(D(1951, 4, 2), D(2026, 4, 1)) == 74
    assert age_on(D(1951, 4, 1), D(2026, 4, 1)) == 75
    assert age_on(D(1952, 2, 29), D(2027, 2, 28)) == 74
    assert age_on(D(1952, 2, 29), D(2027, 3, 1)) == 75


def test_a_customer_of_75_on_the_notification_day_is_proposed_lower_limits(teller):
    case = elderly_draft(teller, born_years_before(75))
    limits = {a.kind: a for a in case.actions.all()}
    assert set(limits) == {"atm_limit", "transfer_limit"}
    assert limits["atm_limit"].limit_yen == 200_000 and limits["atm_limit"].item is None
    # The lower online transfer limit: the policy's default, 500,000 yen a day.
    assert limits["transfer_limit"].limit_yen == 500_000 and limits["transfer_limit"].item is None
    assert "fraud" in [step.slug for step in steps_for(case)]


def test_a_customer_a_day_short_of_75_is_not(teller):
    case = elderly_draft(teller, born_years_before(75, days=1))
    assert not case.actions.exists()
    assert "fraud" not in [step.slug for step in steps_for(case)]


def test_the_age_and_the_limit_follow_the_policy_in_force_on_the_notification_day(teller):
    ProtectionPolicy.objects.create(
        valid_from=factories.today() - timedelta(days=10), elderly_age=70, atm_limit_yen=100_000
    )
    ProtectionPolicy.objects.create(valid_from=factories.today() + timedelta(days=10))
    case = elderly_draft(teller, born_years_before(71))
    atm = case.actions.get(kind="atm_limit")
    assert atm.limit_yen == 100_000
    earlier = elderly_draft(
        teller, born_years_before(72), notified_at=timezone.now() - timedelta(days=20)
    )
    assert not earlier.actions.exists()  # before that version: the default age of 75


def test_a_later_birth_date_correction_drops_the_untouched_proposals(teller):
    case = elderly_draft(teller, born_years_before(80))
    assert case.actions.exists()
    services.case_save_customer(
        case=case,
        user=teller,
        step="customer",
        fields={"customer_birth_date": born_years_before(40)},
    )
    assert not case.actions.exists()


def test_the_limits_are_proposed_once_when_a_transfer_fraud_item_proposes_them_too(teller):
    case = factories.transfer_fraud_case(
        teller, submit=False, customer_birth_date=born_years_before(80)
    )
    kinds = list(case.actions.values_list("kind", flat=True))
    assert sorted(kinds) == ["atm_limit", "receiving_freeze", "transfer_limit"]


# --- Freeze requests -----------------------------------------------------------------------------


def freeze_post(**fields) -> dict:
    return {
        "payee_bank": "みずほ銀行",
        "payee_branch": "渋谷支店",
        "payee_account_number": "7654321",
        "payee_account_name": "カ）サギショウカイ",
        "requested_at": "2026-04-30T10:00",
        "contact_name": "佐藤",
        "answer": "pending",
        **fields,
    }


def test_recording_a_freeze_request_carries_out_the_proposed_freeze(teller_client, teller):
    case = factories.transfer_fraud_case(teller, submit=False)
    url = reverse("incidents:case_freeze_requests", args=[case.pk])
    page = teller_client.get(url)
    assert "7654321" in page.content.decode()  # the receiving account offered from the transfer
    response = teller_client.post(url, factories.stamped(case, freeze_post()))
    assert response.status_code == 302
    freeze = FreezeRequest.objects.get(case=case)
    assert (freeze.contact_name, freeze.answer, freeze.recorded_by) == ("佐藤", "pending", teller)
    action = case.actions.get(kind="receiving_freeze")
    assert action.status == ActionStatus.DONE and "みずほ銀行" in action.reference
    assert case_submission_problems(case) == []


def test_the_same_freeze_form_posted_twice_records_one_request(teller_client, teller):
    case = factories.transfer_fraud_case(teller, submit=False)
    url = reverse("incidents:case_freeze_requests", args=[case.pk])
    data = factories.stamped(case, freeze_post())
    teller_client.post(url, data)
    teller_client.post(url, data)
    assert FreezeRequest.objects.filter(case=case).count() == 1


def test_a_period_that_closes_before_it_opens_is_refused_in_japanese(teller_client, teller):
    case = factories.transfer_fraud_case(teller)
    url = reverse("incidents:case_freeze_requests", args=[case.pk])
    response = teller_client.post(
        url,
        factories.stamped(
            case,
            freeze_post(
                notice_published_on="2026-05-01",
                distribution_opens_on="2026-08-01",
                distribution_closes_on="2026-07-01",
                requested_at="3000-01-01T10:00",
            ),
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "申請期間の終了日は開始日以降の日付を入力してください。" in body
    assert not FreezeRequest.objects.filter(case=case).exists()


def test_another_branchs_teller_cannot_see_the_freeze_requests(client, other_teller, teller):
    case = factories.transfer_fraud_case(teller)
    client.force_login(other_teller)
    url = reverse("incidents:case_freeze_requests", args=[case.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, factories.stamped(case, freeze_post())).status_code == 404


# --- Deadlines on the business calendar --------------------------------------------------------


def jst(day: D, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def test_an_unanswered_freeze_is_followed_up_two_business_days_later_past_golden_week(teller):
    case = factories.transfer_fraud_case(teller)
    services.freeze_request_save(
        case=case,
        user=teller,
        fields={**freeze_post(), "requested_at": jst(D(2026, 4, 30), 10)},
    )
    follow_up = Deadline.objects.get(case=case, kind="freeze_follow_up")
    # 5/1 (Fri) is one; 5/2–5/6 are a weekend and holidays; 5/7 (Thu) is the second.
    assert follow_up.due_at == jst(D(2026, 5, 7), 15)
    assert follow_up.owner == teller


def test_the_receiving_banks_answer_meets_the_follow_up(teller):
    case = factories.transfer_fraud_case(teller)
    freeze = services.freeze_request_save(
        case=case, user=teller, fields={**freeze_post(), "requested_at": timezone.now()}
    )
    services.freeze_request_save(
        case=case, user=teller, fields={"answer": "frozen"}, request_id=freeze.pk
    )
    follow_up = Deadline.objects.get(case=case, kind="freeze_follow_up")
    assert follow_up.state == DeadlineState.MET


def test_the_application_period_is_due_on_its_last_business_day():
    # 2030-01-03 (Thu) is a bank holiday, as are 1/1–1/2 and 12/31; 12/29–30 are a weekend.
    assert remedy_application_due_at(D(2030, 1, 3)) == jst(D(2029, 12, 28), 15)
    assert remedy_application_due_at(D(2030, 3, 15)) == jst(D(2030, 3, 15), 15)


def published_period(teller, *, published, opens, closes):
    """A transfer-fraud case whose freeze was answered "frozen" and whose public notice gives the
    distribution's application period; (case, its freeze request)."""
    case = factories.transfer_fraud_case(teller)
    freeze = services.freeze_request_save(
        case=case, user=teller, fields={**freeze_post(), "requested_at": timezone.now()}
    )
    services.freeze_request_save(
        case=case,
        user=teller,
        request_id=freeze.pk,
        fields={
            "answer": "frozen",
            "notice_published_on": published,
            "distribution_opens_on": opens,
            "distribution_closes_on": closes,
        },
    )
    return case, freeze


def test_a_published_period_reminds_the_owner_a_week_before_it_closes(teller):
    case, freeze = published_period(
        teller, published=D(2029, 10, 1), opens=D(2029, 12, 3), closes=D(2030, 1, 3)
    )
    application = Deadline.objects.get(case=case, kind="remedy_application", state="open")
    assert application.due_at == jst(D(2029, 12, 28), 15)
    assert application.next_action_at == jst(D(2029, 12, 21), 15)
    assert application.owner == teller
    # A corrected close moves the deadline: the old one is cancelled, one stays owed.
    services.freeze_request_save(
        case=case,
        user=teller,
        request_id=freeze.pk,
        fields={"distribution_closes_on": D(2030, 3, 15)},
    )
    owed = Deadline.objects.filter(case=case, kind="remedy_application", state="open")
    assert [d.due_at for d in owed] == [jst(D(2030, 3, 15), 15)]


def test_a_published_period_reminds_the_owner_on_the_morning_it_opens_past_the_new_year(teller):
    from incidents.deadlines.scan import deadlines_scan
    from notifications.models import Notification

    case, freeze = published_period(
        teller, published=D(2029, 10, 1), opens=D(2030, 1, 1), closes=D(2030, 2, 15)
    )
    # 1/1–1/3 are bank holidays: the period's first business day is Friday 2030-01-04.
    opening = Deadline.objects.get(case=case, kind="remedy_application_opens", state="open")
    assert opening.due_at == jst(D(2030, 1, 4), 15)
    assert opening.next_action_at == jst(D(2030, 1, 4), 9)
    assert opening.owner == teller

    # Nothing before that morning; then the owner is reminded, once.
    def opening_steps(now):
        actions = deadlines_scan(now=now).actions
        return [a.action for a in actions if a.kind == "remedy_application_opens"]

    assert opening_steps(jst(D(2030, 1, 3), 12)) == []
    assert opening_steps(jst(D(2030, 1, 4), 9)) == ["reminded"]
    assert opening_steps(jst(D(2030, 1, 4), 10)) == []
    (notice,) = Notification.objects.filter(
        kind="reminder", recipient=teller, title__contains="申請受付開始"
    )
    assert case.number in notice.title and "2030/01/04 15:00" in notice.body
    # A corrected opening day moves the deadline: the old one is cancelled, one stays owed.
    services.freeze_request_save(
        case=case,
        user=teller,
        request_id=freeze.pk,
        fields={"distribution_opens_on": D(2030, 1, 7)},
    )
    owed = Deadline.objects.filter(case=case, kind="remedy_application_opens", state="open")
    assert [d.due_at for d in owed] == [jst(D(2030, 1, 7), 15)]


def test_a_period_that_opened_already_owes_no_opening_reminder(teller):
    today = timezone.localdate()
    case, _freeze = published_period(
        teller,
        published=today - timedelta(days=90),
        opens=today - timedelta(days=10),
        closes=today + timedelta(days=20),
    )
    assert not Deadline.objects.filter(case=case, kind="remedy_application_opens").exists()
    assert Deadline.objects.filter(case=case, kind="remedy_application", state="open").exists()


def test_a_flagged_case_is_brought_to_the_branchs_supervisors_once_taken(teller, supervisor):
    from notifications.models import Notification

    case = factories.transfer_fraud_case(teller)  # a refund scam: the ATM call was a "yes"
    notices = Notification.objects.filter(
        recipient=supervisor, title__startswith="役席の確認が必要"
    )
    assert [n.url for n in notices] == [case.get_absolute_url()]
    calm = factories.transfer_fraud_case(teller, approach="romance")
    assert not Notification.objects.filter(url=calm.get_absolute_url(), kind="info").exists()


def test_the_case_page_shows_the_flag_the_approach_and_the_freeze_requests(teller_client, teller):
    case = factories.transfer_fraud_case(teller)
    body = teller_client.get(case.get_absolute_url()).content.decode()
    assert 'data-testid="supervisor-flag"' in body and "還付金詐欺" in body
    assert reverse("incidents:case_freeze_requests", args=[case.pk]) in body
    plain = factories.stolen_card_case(teller)
    assert (
        'data-testid="case-fraud"'
        not in teller_client.get(plain.get_absolute_url()).content.decode()
    )
