"""seed_bench: many realistic cases by bulk SQL, shaped like the ones the services write."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from incidents.cases.services.drafts import case_search_text
from incidents.models import Case, CaseNumberCounter, Deadline, ProtectiveAction, User
from incidents.models.choices import OPEN_STATUSES
from tests import factories

pytestmark = pytest.mark.django_db


def test_seed_bench_creates_numbered_searchable_cases_over_twenty_branches(client):
    out = StringIO()
    call_command("seed_bench", cases=600, chunk=250, stdout=out)
    assert "600 cases in" in out.getvalue()
    cases = Case.objects.filter(branch__code__gte="101")
    assert cases.count() == 600
    assert cases.values("branch").distinct().count() == 20
    open_share = cases.filter(status__in=OPEN_STATUSES).count() / 600
    assert 0.05 < open_share < 0.16
    assert not cases.filter(number__isnull=True).exists()
    assert not cases.filter(items__isnull=True).exists()
    assert (
        not ProtectiveAction.objects.filter(case__in=cases, status="proposed")
        .exclude(case__status="preliminary")
        .exists()
    )
    assert (
        Deadline.objects.filter(case__in=cases).exclude(case__status__in=OPEN_STATUSES).count() == 0
    )
    for case in cases.order_by("?")[:30]:
        assert case.search_text == case_search_text(case=case), case.number
    # The branch's own numbering carries on after the bulk rows.
    teller = User.objects.get(username="bench_teller_101_0")
    this_year = CaseNumberCounter.objects.filter(
        branch=teller.branch, year=factories.today().year
    ).first()
    real = factories.stolen_card_case(teller)
    assert real.sequence == (this_year.last if this_year else 0) + 1
    supervisor = User.objects.get(username="bench_supervisor_101_0")
    client.force_login(supervisor)
    name = cases.filter(branch__code="101", status__in=OPEN_STATUSES).first().customer_name_kana
    page = client.get(reverse("incidents:queue"), {"q": name.split()[0]}).content.decode()
    assert 'data-testid="queue-row"' in page


def test_seed_bench_refuses_nonsense():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_bench", cases=0)
