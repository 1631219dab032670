"""Refused access leaves a trace compliance can search: every 403 given to a member of staff and
every 404 on a URL that names a case, with who, what and when, append-only in the database."""

from __future__ import annotations

import pgtrigger
import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse
from django.utils import timezone

from incidents.models import AccessRefusal
from tests import factories

pytestmark = pytest.mark.django_db

REFUSED = (InternalError, ProgrammingError)
ACCESS_LOG = reverse("incidents:access_log")


def probe_another_branchs_case(client, other_teller, case):
    """A teller of another branch opens the case, its receipt, and tries one of its actions."""
    client.force_login(other_teller)
    answers = [
        client.get(case.get_absolute_url()).status_code,
        client.get(reverse("incidents:case_receipt", args=[case.pk])).status_code,
        client.post(
            reverse("incidents:case_claim", args=[case.pk]), {"version": case.version}
        ).status_code,
    ]
    assert answers == [404, 404, 404]


def refusal_rows(client, **params) -> int:
    page = client.get(ACCESS_LOG, params).content.decode()
    return page.count('data-testid="refusal-row"')


def test_a_teller_probing_another_branchs_case_leaves_who_what_and_when(
    client, teller, other_teller
):
    case = factories.stolen_card_case(teller)
    started = timezone.now()
    probe_another_branchs_case(client, other_teller, case)
    rows = list(AccessRefusal.objects.order_by("pk"))
    assert [(r.user, r.method, r.view, r.status, r.case_id) for r in rows] == [
        (other_teller, "GET", "incidents:case_detail", 404, case.pk),
        (other_teller, "GET", "incidents:case_receipt", 404, case.pk),
        (other_teller, "POST", "incidents:case_claim", 404, case.pk),
    ]
    assert [r.path for r in rows] == [
        case.get_absolute_url(),
        reverse("incidents:case_receipt", args=[case.pk]),
        reverse("incidents:case_claim", args=[case.pk]),
    ]
    assert all(started <= r.at <= timezone.now() for r in rows)
    assert {r.ip_address for r in rows} == {"127.0.0.1"}


def test_a_forbidden_page_is_recorded_and_a_case_that_does_not_exist_too(
    client, teller, compliance_officer
):
    client.force_login(teller)
    assert client.get(ACCESS_LOG).status_code == 403
    missing = reverse("incidents:case_detail", args=[987654321])
    assert client.get(missing).status_code == 404
    rows = list(AccessRefusal.objects.order_by("pk").values_list("status", "path", "case_id"))
    assert rows == [(403, ACCESS_LOG, None), (404, missing, 987654321)]
    client.force_login(compliance_officer)
    page = client.get(ACCESS_LOG, {"staff": "teller"}).content.decode()
    assert "#987654321" in page and "403 権限なし" in page


def test_compliance_finds_refusals_by_member_of_staff_case_number_and_period(
    client, teller, other_teller, compliance_officer
):
    case = factories.stolen_card_case(teller)
    probe_another_branchs_case(client, other_teller, case)
    client.force_login(teller)
    client.get(reverse("incidents:case_detail", args=[case.pk + 1000]))  # no such case
    client.force_login(compliance_officer)
    assert refusal_rows(client) == 4
    assert refusal_rows(client, staff="teller_b") == 3
    assert refusal_rows(client, staff=other_teller.last_name) == 3
    assert refusal_rows(client, case_number=case.number) == 3
    assert refusal_rows(client, staff="teller", case_number=case.number) == 0
    today = factories.today().isoformat()
    assert refusal_rows(client, date_from=today, date_to=today) == 4
    assert refusal_rows(client, date_from="2000-01-01", date_to="2000-01-31") == 0
    page = client.get(ACCESS_LOG, {"case_number": case.number}).content.decode()
    refused = page.split('data-testid="refusal-log"')[1]
    assert "拒否されたアクセス" in page
    assert other_teller.display_name in refused and "/receipt/" in refused


def test_the_refusal_list_pages_on_its_own(client, teller, other_teller, compliance_officer):
    from incidents.audit import selectors as selectors_audit

    case = factories.stolen_card_case(teller)
    AccessRefusal.objects.bulk_create(
        AccessRefusal(user=other_teller, method="GET", path="/x/", status=404, case=case)
        for _n in range(selectors_audit.ACCESS_PAGE_SIZE + 1)
    )
    client.force_login(compliance_officer)
    assert refusal_rows(client) == selectors_audit.ACCESS_PAGE_SIZE
    assert refusal_rows(client, refusal_page=2) == 1
    assert 'data-testid="refusal-row"' in client.get(ACCESS_LOG, {"page": 2}).content.decode()


def test_the_database_refuses_to_edit_or_delete_a_refusal(client, teller, other_teller):
    case = factories.stolen_card_case(teller)
    probe_another_branchs_case(client, other_teller, case)
    row = AccessRefusal.objects.order_by("pk").first()
    table = AccessRefusal._meta.db_table
    attempts = [
        lambda: AccessRefusal.objects.filter(pk=row.pk).update(path="/"),
        lambda: AccessRefusal.objects.filter(pk=row.pk).delete(),
        lambda: connection.cursor().execute(f"DELETE FROM {table}"),
        lambda: connection.cursor().execute(f"UPDATE {table} SET status = 403"),
    ]
    for attempt in attempts:
        with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
            attempt()
    with pytest.raises(REFUSED, match="append-only"), pgtrigger.ignore(), transaction.atomic():
        AccessRefusal.objects.filter(pk=row.pk).delete()
    assert AccessRefusal.objects.count() == 3


def test_a_404_on_a_url_naming_no_case_and_anonymous_requests_leave_nothing(
    client, teller, supervisor
):
    case = factories.stolen_card_case(teller)
    client.force_login(teller)
    assert client.get("/no-such-page/").status_code == 404
    read = reverse("notifications:read", args=[987654321])  # a notice's id, not a case's
    assert client.post(read).status_code == 404
    client.logout()
    for url in (case.get_absolute_url(), ACCESS_LOG, "/no-such-page/"):
        assert client.get(url).status_code in (302, 404)
    assert client.get(reverse("incidents:case_detail", args=[987654321])).status_code == 302
    assert not AccessRefusal.objects.exists()


def test_allowed_pages_leave_no_refusal(client, teller):
    case = factories.stolen_card_case(teller)
    client.force_login(teller)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert not AccessRefusal.objects.exists()


def test_the_admin_shows_refusals_read_only(client, teller, other_teller):
    case = factories.stolen_card_case(teller)
    probe_another_branchs_case(client, other_teller, case)
    registered = admin.site._registry[AccessRefusal]
    row = AccessRefusal.objects.first()
    assert not registered.has_add_permission(None)
    assert not registered.has_change_permission(None, row)
    assert not registered.has_delete_permission(None, row)
    superuser = factories.staff("root", "admin", None)
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    listing = client.get(reverse("admin:incidents_accessrefusal_changelist"))
    assert listing.status_code == 200 and case.get_absolute_url() in listing.content.decode()
    detail = client.get(reverse("admin:incidents_accessrefusal_change", args=[row.pk]))
    assert detail.status_code == 200 and str(case.pk) in detail.content.decode()
