"""The administrator sets deadline durations and adds bank closures in the admin."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from incidents.models import BankClosure, DeadlinePolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, administrator):
    administrator.is_staff = administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    return client


def test_the_policies_seeded_by_migration_are_listed_with_the_domain_defaults(admin_client):
    page = admin_client.get(reverse("admin:incidents_deadlinepolicy_changelist"))
    assert page.status_code == 200
    policies = {p.kind: p for p in DeadlinePolicy.objects.all()}
    assert policies["police_report"].days == 7
    assert policies["customer_documents"].days == 14
    assert policies["supervisor_review"].counting == "business_days"
    assert policies["supervisor_review"].days == 2
    assert policies["after_hours_pickup"].counting == "next_opening"
    assert policies["after_hours_pickup"].due_time.hour == 10


def test_changing_a_policy_in_the_admin_moves_owed_reminders(admin_client, police_pending_case):
    policy = DeadlinePolicy.objects.get(kind="police_report")
    url = reverse("admin:incidents_deadlinepolicy_change", args=[policy.pk])
    response = admin_client.post(
        url,
        {
            "is_active": "on",
            "counting": "calendar_days",
            "days": "10",
            "due_time": "15:00",
            "remind_before": "06:00:00",
            "escalate_after": "00:00:00",
            "re_escalate_after": "2 00:00:00",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.days == 10 and policy.remind_before == timedelta(hours=6)
    police = police_pending_case.deadlines.get(kind="police_report")
    assert police.next_action_at == police.due_at - timedelta(hours=6)


def test_a_policy_counting_days_needs_at_least_one_day(admin_client):
    policy = DeadlinePolicy.objects.get(kind="customer_documents")
    url = reverse("admin:incidents_deadlinepolicy_change", args=[policy.pk])
    response = admin_client.post(
        url,
        {
            "is_active": "on",
            "counting": "calendar_days",
            "days": "0",
            "due_time": "15:00",
            "remind_before": "1 00:00:00",
            "escalate_after": "00:00:00",
            "re_escalate_after": "2 00:00:00",
        },
    )
    assert response.status_code == 200
    assert "日数を1以上で入力してください。" in response.content.decode()
    policy.refresh_from_db()
    assert policy.days == 14


def test_the_administrator_adds_a_bank_closure(admin_client):
    response = admin_client.post(
        reverse("admin:incidents_bankclosure_add"),
        {"date": "2026-06-15", "reason": "勘定系システム更改"},
    )
    assert response.status_code == 302
    assert BankClosure.objects.get().date == date(2026, 6, 15)


@pytest.mark.parametrize(
    "url, data",
    [
        ("admin:incidents_bankclosure_add", {"date": "0001-01-01", "reason": "誤入力"}),
        (
            "admin:incidents_protectionpolicy_add",
            {
                "valid_from": "9999-12-31",
                "elderly_age": "75",
                "atm_limit_yen": "200000",
                "transfer_limit_yen": "200000",
                "note": "誤入力",
            },
        ),
        (
            "admin:compensation_policyversion_add",
            {"valid_from": "0001-01-01", "window_days": "30", "note": "誤入力"},
        ),
    ],
)
def test_an_admin_date_outside_the_one_range_is_refused_in_japanese(admin_client, url, data):
    from django.apps import apps

    model = apps.get_model(*url.removeprefix("admin:").removesuffix("_add").split("_", 1))
    count = model.objects.count()
    response = admin_client.post(reverse(url), data)
    assert response.status_code == 200
    assert "1900/01/01 から 2999/12/31 までの日付を入力してください。" in response.content.decode()
    assert model.objects.count() == count


def test_the_database_refuses_a_bank_closure_outside_the_one_range():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        BankClosure.objects.create(date=date(1, 1, 1), reason="誤入力")


def test_every_kind_of_deadline_has_its_policy_seeded_by_a_migration_with_the_code_defaults():
    from incidents.deadlines.policies import POLICY_DEFAULTS
    from incidents.models.choices import DeadlineKind

    seeded = {p.kind: p for p in DeadlinePolicy.objects.all()}
    assert set(seeded) == set(DeadlineKind.values)  # a scan never has to write one
    for kind, defaults in POLICY_DEFAULTS.items():
        for field, value in defaults.items():
            assert getattr(seeded[kind], field) == value, (kind, field)
