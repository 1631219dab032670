"""The freeze case's pages: opened from the links page, each step, refusals shown with what was
typed, the four eyes, and the decision table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from compensation.choices import DecisionStatus, FreezeStatus
from compensation.models import FreezeCase, RemedyApplication

from .support import freeze_world, fresh, frozen, pdf

pytestmark = pytest.mark.django_db


def test_the_links_page_offers_supervisors_a_freeze_and_the_page_opens_it(
    client, supervisor, candidate_key
):
    client.force_login(supervisor)
    links = client.get(reverse("incidents:link_accounts")).content.decode()
    url = reverse("freezes:open", kwargs={"key": candidate_key})
    assert 'data-testid="freeze-open"' in links
    page = client.get(url)
    assert page.status_code == 200
    assert "サギ タロウ" in page.content.decode()
    response = client.post(url, {"balance": "２５０，０００", "note": "2件の被害"})
    freeze = FreezeCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("freezes:detail", kwargs={"pk": freeze.pk})
    assert freeze.balance == 250_000
    # A second post (the back button) opens nothing more: it goes to the open case.
    again = client.post(url, {"balance": "250000"})
    assert again["Location"] == response["Location"]
    assert FreezeCase.objects.count() == 1


def test_an_account_at_another_bank_is_listed_but_offered_no_freeze(client, teller, supervisor):
    from incidents.models.search import payee_account_key

    from .conftest import transfer

    other_bank = ("みらい銀行", "本店", "1234500", "サギ ジロウ")
    transfer(teller, "340001", payee=other_bank)
    transfer(teller, "340002", payee=other_bank)
    client.force_login(supervisor)
    links = client.get(reverse("incidents:link_accounts")).content.decode()
    assert "1234500" in links  # still a link between cases
    assert 'data-testid="freeze-open"' not in links
    assert 'data-testid="freeze-other-bank"' in links
    url = reverse("freezes:open", kwargs={"key": payee_account_key(*other_bank[:3])})
    page = client.get(url).content.decode()
    assert "他行の口座のため" in page and 'data-testid="freeze-confirm"' not in page
    refused = client.post(url, {"balance": "250000"})
    assert refused.status_code == 200 and "他行の口座のため" in refused.content.decode()
    assert not FreezeCase.objects.exists()


def test_a_bad_balance_is_a_clear_message_not_an_error_page(client, supervisor, candidate_key):
    client.force_login(supervisor)
    url = reverse("freezes:open", kwargs={"key": candidate_key})
    for value in ("-1", "abc", "1" * 40):
        response = client.post(url, {"balance": value})
        assert response.status_code == 200
        assert "円" in response.content.decode()
    assert not FreezeCase.objects.exists()


def test_another_branch_gets_no_freeze_case(client, supervisor, other_branch, candidate_key):
    from tests import factories

    freeze = frozen(supervisor, candidate_key)
    foreign = factories.staff("supervisor_b", "supervisor", other_branch)
    client.force_login(foreign)
    assert client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk})).status_code == 404
    assert client.get(reverse("freezes:open", kwargs={"key": candidate_key})).status_code == 404


def test_the_notice_form_keeps_what_was_typed_when_refused(client, supervisor, candidate_key):
    freeze = frozen(supervisor, candidate_key)
    client.force_login(supervisor)
    url = reverse("freezes:notice", kwargs={"pk": freeze.pk})
    typed = {"requested_on": "2026-10-10", "reference": "DIC-77", "starts_on": "2026-10-01"}
    response = client.post(url, {**typed, "version": freeze.version})
    body = response.content.decode()
    assert response.status_code == 400
    assert "公告日は公告の求めの日以降" in body
    assert 'value="DIC-77"' in body
    assert fresh(freeze).status == FreezeStatus.FROZEN
    stale = client.post(url, {**typed, "starts_on": "2026-10-12", "version": "0"})
    assert "他の役席が更新しました" in stale.content.decode()
    ok = client.post(url, {**typed, "starts_on": "2026-10-12", "version": freeze.version})
    assert ok.status_code == 302
    assert fresh(freeze).notice_ends_on.isoformat() == "2026-12-11"


def test_impossible_dates_and_amounts_get_japanese_messages(client, supervisor, candidate_key):
    freeze = freeze_world(supervisor, candidate_key, "applications")["freeze"]
    client.force_login(supervisor)
    response = client.post(
        reverse("freezes:application_new", kwargs={"pk": freeze.pk}),
        {
            "applicant_name": "被害 花子",
            "received_on": "2026-02-30",
            "claimed_amount": "0",
            "version": freeze.version,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "日付を正しく入力してください" in body
    assert "1円以上で入力してください" in body
    assert RemedyApplication.objects.count() == 1


def test_the_preparer_is_not_offered_the_approval_but_a_second_supervisor_is(
    client, supervisor, approver, candidate_key
):
    made = freeze_world(supervisor, candidate_key, "distributing")
    freeze, decision = made["freeze"], made["decision"]
    detail = reverse("freezes:detail", kwargs={"pk": freeze.pk})
    review = reverse(
        "freezes:distribution_review", kwargs={"pk": freeze.pk, "decision_pk": decision.pk}
    )
    client.force_login(supervisor)
    assert 'data-testid="approve-distribution"' not in client.get(detail).content.decode()
    refused = client.post(review, {"action": "approve", "version": freeze.version})
    assert "四つの目" in refused.content.decode()
    client.force_login(approver)
    assert 'data-testid="approve-distribution"' in client.get(detail).content.decode()
    client.post(review, {"action": "approve", "version": freeze.version})
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED


def test_the_decision_table_lists_each_claim_and_payment(client, supervisor, candidate_key):
    made = freeze_world(supervisor, candidate_key, "distributing")
    client.force_login(supervisor)
    body = client.get(
        reverse(
            "freezes:decision_table",
            kwargs={"pk": made["freeze"].pk, "decision_pk": made["decision"].pk},
        )
    ).content.decode()
    assert "申請 一子" in body
    assert "300,000円" in body  # the claim
    assert "250,000円" in body  # its payment: the whole balance, pro rata
    assert "data-print-now" in body
    assert 'data-testid="table-draft"' in body  # not approved yet


def test_evidence_is_kept_with_the_application_and_downloaded_as_a_file(
    client, supervisor, compliance_officer, candidate_key
):
    made = freeze_world(supervisor, candidate_key, "applications")
    freeze, application = made["freeze"], made["application"]
    client.force_login(supervisor)
    url = reverse(
        "freezes:evidence_upload", kwargs={"pk": freeze.pk, "application_pk": application.pk}
    )
    refused = client.post(
        url,
        {"version": fresh(freeze).version, "file": pdf("slip.pdf", b"not really a pdf")},
    )
    assert refused.status_code == 400
    assert "PDF・JPEG・PNG のファイルだけ" in refused.content.decode()
    assert application.evidence.count() == 1
    ok = client.post(url, {"version": fresh(freeze).version, "file": pdf("police.pdf")})
    assert ok.status_code == 302
    assert application.evidence.count() == 2
    evidence = application.evidence.get(original_name="police.pdf")
    client.force_login(compliance_officer)
    download = client.get(
        reverse("freezes:evidence_download", kwargs={"pk": freeze.pk, "evidence_pk": evidence.pk})
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_evidence_cannot_be_changed_or_removed(supervisor, candidate_key):
    from django.db import transaction

    evidence = freeze_world(supervisor, candidate_key, "applications")["evidence"]
    with pytest.raises(Exception, match="kept as handed in"), transaction.atomic():
        evidence.delete()


def test_the_distribution_reason_reads_in_english_on_staff_screens_and_is_recorded_in_japanese(
    client, supervisor, candidate_key
):
    from incidents.models import User

    made = freeze_world(supervisor, candidate_key, "distributing")
    freeze, decision = made["freeze"], made["decision"]
    assert decision.result["reason"].startswith("申請額の合計")  # the record
    User.objects.filter(pk=supervisor.pk).update(language="en")
    client.force_login(supervisor)
    detail = client.get(reverse("freezes:detail", kwargs={"pk": freeze.pk})).content.decode()
    table = client.get(
        reverse("freezes:decision_table", kwargs={"pk": freeze.pk, "decision_pk": decision.pk})
    ).content.decode()
    for page, testid in ((detail, "distribution-reason"), (table, "table-reason")):
        reason = page.split(f'data-testid="{testid}">', 1)[1].split("</p>", 1)[0]
        assert "in proportion to each application" in reason, reason
        assert "申請額" not in reason


def test_a_distribution_reason_the_rules_no_longer_make_is_shown_as_recorded(
    supervisor, candidate_key
):
    from compensation.selectors.remedy import distribution_reason

    decision = freeze_world(supervisor, candidate_key, "distributing")["decision"]
    decision.result = {**decision.result, "reason": "以前の規則による理由。"}  # read, never saved
    assert distribution_reason(decision) == "以前の規則による理由。"
