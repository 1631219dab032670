"""Policy parameters: versioned by the day they apply from, frozen once a decision used them."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from compensation import rules, selectors, services
from compensation.models import PolicyVersion
from tests import factories

from .support import confirm_suggested_faults, evaluate, fresh, submit_and_approve

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_migration_seeds_the_contracts_defaults_from_the_act(default_policy):
    version = selectors.policy_version_in_force(on=D(2026, 3, 31))
    assert version.valid_from == D(2006, 2, 10)
    assert selectors.policy_from_version(version) == rules.Policy()


def test_the_policy_in_force_follows_the_notification_date(administrator):
    services.policy_version_create(
        user=administrator,
        valid_from=D(2030, 4, 1),
        values={"window_days": 60, "online_banking_negligence_rate": 75},
        note="対象期間を60日に延長",
    )
    assert selectors.policy_in_force(on=D(2030, 3, 31)).window_days == 30
    later = selectors.policy_in_force(on=D(2030, 4, 1))
    assert later.window_days == 60 and later.online_banking_negligence_rate == 75
    assert later.stolen_card_negligence_rate == 75  # unspecified values keep the defaults
    # Before the earliest version, the earliest applies.
    assert selectors.policy_version_in_force(on=D(2000, 1, 1)).valid_from == D(2006, 2, 10)


def test_a_case_is_assessed_with_the_policy_of_its_notification_day(
    teller, supervisor, administrator
):
    case = factories.stolen_card_case(teller)
    factories_today = case.notified_on
    services.policy_version_create(
        user=administrator,
        valid_from=factories_today,
        values={"stolen_card_negligence_rate": 50},
    )
    from .support import set_checklist

    set_checklist(case, teller, ["pin_memo_with_card"])
    evaluation = evaluate(case)
    assert evaluation.policy_version.valid_from == factories_today
    assert [line.rate for line in evaluation.lines] == [50, 50]
    assert evaluation.snapshot["policy"]["stolen_card_negligence_rate"] == 50


def _used_version(teller, supervisor, other_supervisor):
    case = factories.stolen_card_case(teller)
    confirm_suggested_faults(case, supervisor)
    decision = submit_and_approve(case, teller, other_supervisor)
    return decision.policy, decision


def test_a_version_used_by_an_approved_decision_cannot_be_edited_or_deleted(
    teller, supervisor, other_supervisor
):
    version, _decision = _used_version(teller, supervisor, other_supervisor)
    assert selectors.policy_version_is_used(version)
    with pytest.raises(services.PolicyFrozenError):
        services.policy_version_update(version=version, values={"window_days": 60})
    with pytest.raises(services.PolicyFrozenError):
        services.policy_version_delete(version=version)
    version.refresh_from_db()
    assert version.window_days == 30


def test_the_database_refuses_to_edit_or_delete_a_used_version(
    teller, supervisor, other_supervisor
):
    version, _decision = _used_version(teller, supervisor, other_supervisor)
    with (
        pytest.raises(ProgrammingError, match="used by an approved decision"),
        transaction.atomic(),
    ):
        PolicyVersion.objects.filter(pk=version.pk).update(window_days=60)
    with (
        pytest.raises(ProgrammingError, match="used by an approved decision"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM compensation_policyversion WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.window_days == 30


def test_an_unused_version_can_still_be_corrected(administrator):
    version = services.policy_version_create(
        user=administrator, valid_from=D(2031, 1, 1), values={"window_days": 45}
    )
    services.policy_version_update(version=version, values={"window_days": 60})
    version.refresh_from_db()
    assert version.window_days == 60
    services.policy_version_delete(version=version)
    assert not PolicyVersion.objects.filter(pk=version.pk).exists()


def test_a_new_version_may_not_start_on_or_before_an_approved_decisions_notice(
    teller, supervisor, other_supervisor, administrator
):
    _version, decision = _used_version(teller, supervisor, other_supervisor)
    with pytest.raises(ValidationError) as error:
        services.policy_version_create(
            user=administrator, valid_from=decision.notified_on, values={"window_days": 60}
        )
    assert "適用開始日" in str(error.value)
    later = services.policy_version_create(
        user=administrator,
        valid_from=decision.notified_on + datetime.timedelta(days=1),
        values={"window_days": 60},
    )
    assert later.pk


def test_invalid_parameters_are_refused_with_a_message(administrator):
    with pytest.raises(ValidationError):
        services.policy_version_create(
            user=administrator,
            valid_from=D(2032, 1, 1),
            values={
                "online_banking_negligence_rate": 50,
                "online_banking_gross_negligence_rate": 80,
            },
        )
    with pytest.raises(ValidationError):
        services.policy_version_create(
            user=administrator,
            valid_from=D(2032, 1, 1),
            values={"stolen_card_negligence_rate": 101},
        )


def test_the_admin_shows_a_used_version_read_only_and_offers_a_copy_for_a_new_one(
    client, teller, supervisor, other_supervisor
):
    version, decision = _used_version(teller, supervisor, other_supervisor)
    admin_user = factories.staff("root", "admin", None)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    change_url = reverse("admin:compensation_policyversion_change", args=[version.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert b'name="window_days"' not in page.content  # read-only view
    response = client.post(
        change_url, {"valid_from": "2006-02-10", "window_days": "60", "note": "x"}
    )
    assert response.status_code == 403
    delete_url = reverse("admin:compensation_policyversion_delete", args=[version.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    version.refresh_from_db()
    assert version.window_days == 30

    add_url = reverse("admin:compensation_policyversion_add")
    page = client.get(add_url)
    assert page.context["adminform"].form.initial["window_days"] == 30
    too_early = client.post(
        add_url,
        {"valid_from": decision.notified_on.isoformat(), "window_days": "60", "note": ""},
    )
    assert too_early.status_code == 200
    assert "適用開始日は" in too_early.content.decode()
    start = decision.notified_on + datetime.timedelta(days=1)
    created = client.post(
        add_url,
        {
            "valid_from": start.isoformat(),
            "window_days": "60",
            "stolen_card_negligence_rate": "75",
            "passbook_negligence_rate": "75",
            "online_banking_negligence_rate": "",
            "online_banking_gross_negligence_rate": "0",
            "note": "60日に延長",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    new = PolicyVersion.objects.get(valid_from=start)
    assert new.window_days == 60 and new.created_by == admin_user
    assert new.online_banking_negligence_rate is None


def test_a_new_windows_length_moves_the_intake_flag_and_the_decision_together(
    teller, supervisor, administrator
):
    """The flag a teller sees at the counter and the decision apply one rule: the engine's window
    under the policy in force on the notification day."""
    from incidents.cases import services as case_services
    from incidents.cases.flags import transaction_flags

    case = factories.stolen_card_case(teller, withdrawals=())
    item = case.items.get()
    stolen = factories.today() - datetime.timedelta(days=45)
    case_services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {
                "id": item.pk,
                "kind": "cash_card",
                "state": "stolen",
                "account_branch": "001",
                "account_number": "1234567",
                "occurred_on": stolen,
                "noticed_on": stolen,
            }
        ],
    )
    (tx,) = case_services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": item.pk,
                "occurred_at": factories.at(stolen, 12),
                "account_branch": "001",
                "account_number": "1234567",
                "channel": "atm_withdrawal",
                "amount": 100000,
            }
        ],
    )
    confirm_suggested_faults(case, supervisor)

    def flagged() -> bool:  # as the next page would load the case
        return any(flag.code == "before_window" for flag in transaction_flags(fresh(case), tx))

    def covered() -> bool:
        return evaluate(case).lines[0].result.covered

    assert flagged() and not covered()  # 45 days before: outside the Act's 30 days
    services.policy_version_create(
        user=administrator,
        valid_from=factories.today() - datetime.timedelta(days=1),
        values={"window_days": 60},
        note="対象期間を60日に延長",
    )
    assert not flagged() and covered()  # both follow the new version
    assert "60日前" not in "".join(f.message for f in transaction_flags(fresh(case), tx))


def test_the_intake_flags_no_date_on_a_kind_the_engine_does_not_limit(teller):
    """A transfer the customer made (振り込め詐欺) has neither the window nor the two-year limit in
    the engine, so the counter shows no date flag for it; a stolen card's withdrawal of the same
    day, in the same case, has both."""
    from incidents.cases import services as case_services
    from incidents.cases.flags import transaction_flags

    case = factories.draft(teller)
    long_ago = factories.today() - datetime.timedelta(days=3 * 365)
    common = {"account_branch": "001", "account_number": "1234567"}
    case_services.case_save_items(
        case=case,
        user=teller,
        rows=[
            {"kind": kind, "state": state, "occurred_on": long_ago, "noticed_on": long_ago} | common
            for kind, state in (("transfer_fraud", "deceived"), ("cash_card", "stolen"))
        ],
    )
    fraud, card = case.items.get(kind="transfer_fraud"), case.items.get(kind="cash_card")
    transfer, withdrawal = case_services.case_save_transactions(
        case=case,
        user=teller,
        rows=[
            {
                "item": fraud.pk,
                "occurred_at": factories.at(long_ago, 11),
                "channel": "atm_transfer",
                "amount": 500_000,
                "payee_bank": "みずほ銀行",
                "payee_branch": "渋谷支店",
                "payee_account_number": "7654321",
                "payee_account_name": "カ）サギショウカイ",
            }
            | common,
            {
                "item": card.pk,
                "occurred_at": factories.at(long_ago, 12),
                "channel": "atm_withdrawal",
                "amount": 100_000,
            }
            | common,
        ],
    )
    assert not rules.has_limits(fresh(case).items.get(pk=fraud.pk).rules_kind)
    assert transaction_flags(fresh(case), transfer) == []
    codes = {flag.code for flag in transaction_flags(fresh(case), withdrawal)}
    assert codes == {"before_window", "past_limit"}


def test_the_new_version_form_proposes_the_next_free_start_date(client, administrator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for offset in (0, 1, 3):  # tomorrow and the day after are taken, the third day is free
        services.policy_version_create(
            user=administrator,
            valid_from=tomorrow + datetime.timedelta(days=offset),
            values={"window_days": 30 + offset},
            note="",
        )
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    page = client.get(reverse("admin:compensation_policyversion_add"))
    proposed = page.context["adminform"].form.initial["valid_from"]
    assert proposed == tomorrow + datetime.timedelta(days=2)
    assert not PolicyVersion.objects.filter(valid_from=proposed).exists()


def test_the_first_free_day_skips_every_taken_day():
    day = datetime.date(2030, 4, 1)
    taken = {day, day + datetime.timedelta(days=1), day + datetime.timedelta(days=3)}
    assert selectors.first_free_day(day, taken) == day + datetime.timedelta(days=2)
    assert selectors.first_free_day(day + datetime.timedelta(days=3), set()) == (
        day + datetime.timedelta(days=3)
    )
