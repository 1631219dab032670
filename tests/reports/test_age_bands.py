"""Cases and amounts by the customer's age band on the notification day (docs/domain.md §7.6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compensation.reports.age_bands import age_band_figures
from compensation.reports.dashboard import dashboard, dashboard_refresh
from incidents.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


def aged(teller, years: int | None, amount: int, *, days: int = 0) -> Case:
    case = factories.stolen_card_case(teller, withdrawals=[(amount, 0)])
    birth = None
    if years is not None:
        notified = case.notified_on
        birth = notified.replace(year=notified.year - years) + timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(customer_birth_date=birth)
    return case


def figures(user, **kwargs) -> dict:
    now = timezone.now()
    rows = age_band_figures(user=user, start=now - timedelta(days=30), end=now, **kwargs)
    return {row.band: (row.cases, row.amount) for row in rows}


def test_each_case_counts_in_the_band_of_its_age_on_the_notification_day(
    teller, other_teller, supervisor
):
    aged(teller, 64, 10_000, days=-1)  # 64 years and a day
    aged(teller, 65, 20_000)  # 65 on the notification day
    aged(teller, 74, 30_000)
    aged(teller, 75, 40_000, days=1)  # one day short of 75: still 74
    aged(teller, 75, 50_000)
    aged(teller, None, 60_000)
    aged(other_teller, 90, 999_000)  # another branch: not the supervisor's
    assert figures(supervisor) == {
        "under_65": (1, 10_000),
        "65_74": (3, 20_000 + 30_000 + 40_000),
        "75_plus": (1, 50_000),
        "unknown": (1, 60_000),
    }


def test_drafts_and_cases_outside_the_period_are_not_counted(teller, supervisor):
    old = aged(teller, 80, 10_000)
    Case.objects.filter(pk=old.pk).update(notified_at=timezone.now() - timedelta(days=60))
    factories.draft(teller, customer_birth_date=factories.today().replace(year=1940))
    assert figures(supervisor)["75_plus"] == (0, 0)


def test_the_statistics_and_the_dashboard_show_the_age_bands(client, teller, supervisor):
    aged(teller, 80, 123_456)
    dashboard_refresh()  # the dashboard reads its snapshot
    client.force_login(supervisor)
    for name in ("reports:statistics", "reports:dashboard"):
        body = client.get(reverse(name)).content.decode()
        assert 'data-testid="age-band-75_plus"' in body, name
        assert "75歳以上" in body
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    assert "123,456" in dashboard


def test_the_dashboard_reads_the_age_bands_from_its_snapshot_per_branch_and_for_all(
    teller, other_teller, supervisor, compliance_officer
):
    aged(teller, 80, 10_000)
    aged(teller, 40, 20_000)
    aged(other_teller, 70, 30_000)
    dashboard_refresh()
    aged(teller, 80, 99_000)  # after the snapshot: shown at the next refresh, not before

    def bands(user) -> dict:
        return {row.band: (row.cases, row.amount) for row in dashboard(user=user).age_bands}

    assert bands(supervisor) == {
        "under_65": (1, 20_000),
        "65_74": (0, 0),
        "75_plus": (1, 10_000),
        "unknown": (0, 0),
    }
    every = bands(compliance_officer)
    assert every["65_74"] == (1, 30_000) and every["75_plus"] == (1, 10_000)
    dashboard_refresh()
    assert bands(supervisor)["75_plus"] == (2, 109_000)
