"""Branch and role scoping: one queryset method decides, every case URL obeys it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


def case_urls(case):
    return [
        ("get", case.get_absolute_url()),
        ("get", reverse("incidents:case_receipt", args=[case.pk])),
        ("get", reverse("incidents:intake_step", args=[case.pk, "customer"])),
        ("post", reverse("incidents:intake_step", args=[case.pk, "customer"])),
        ("post", reverse("incidents:case_submit", args=[case.pk])),
        ("post", reverse("incidents:case_discard", args=[case.pk])),
    ]


def test_a_teller_of_another_branch_gets_404_for_every_case_url(client, teller, other_teller):
    reported = factories.stolen_card_case(teller)
    draft = factories.stolen_card_case(teller, submit=False)
    client.force_login(other_teller)
    for case in (reported, draft):
        for method, url in case_urls(case):
            response = getattr(client, method)(
                url, {"customer_name": "乗っ取り", "confirmed": "on"}
            )
            assert response.status_code == 404, (method, url)
    draft.refresh_from_db()
    assert draft.is_draft and draft.customer_name == "山田 太郎"


def test_the_other_branchs_cases_are_not_listed(client, teller, other_teller):
    factories.stolen_card_case(teller)
    client.force_login(other_teller)
    page = client.get(reverse("incidents:home")).content.decode()
    assert "山田 太郎" not in page


def test_restrict_is_the_single_gate(
    teller, other_teller, supervisor, monitoring_agent, compliance_officer, administrator
):
    mine = factories.stolen_card_case(teller)
    theirs = factories.stolen_card_case(other_teller)
    both = {mine.pk, theirs.pk}
    seen = {
        user.username: set(Case.objects.restrict(user).values_list("pk", flat=True))
        for user in (
            teller,
            other_teller,
            supervisor,
            monitoring_agent,
            compliance_officer,
            administrator,
        )
    }
    assert seen == {
        "teller": {mine.pk},
        "teller_b": {theirs.pk},
        "supervisor": {mine.pk},
        "monitoring": both,
        "compliance": both,
        "admin": set(),
    }
    assert set(Case.objects.restrict(compliance_officer, "change")) == set()


def test_compliance_reads_but_cannot_edit_or_take_reports(client, teller, compliance_officer):
    draft = factories.stolen_card_case(teller, submit=False)
    reported = factories.stolen_card_case(teller)
    client.force_login(compliance_officer)
    assert client.get(reported.get_absolute_url()).status_code == 200
    assert client.get(reverse("incidents:case_new")).status_code == 403
    response = client.post(
        reverse("incidents:intake_step", args=[draft.pk, "customer"]), {"customer_name": "x"}
    )
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, teller):
    case = factories.stolen_card_case(teller)
    for _method, url in case_urls(case):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
