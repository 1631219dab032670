"""A document attached by mistake (another customer's identity document, the wrong file) is
withdrawn by the branch's supervisor with a reason: kept for the auditors, out of everyone
else's reach, and never edited or removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse

from incidents.attachments import services as documents
from incidents.models import AttachmentWithdrawal, TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REASON = "別のお客さまの本人確認書類を誤って添付したため"


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.MAMORI_ATTACHMENT_ROOT = str(tmp_path / "attachments")
    return Path(settings.MAMORI_ATTACHMENT_ROOT)


@pytest.fixture
def attached(teller):
    case = factories.stolen_card_case(teller)
    return documents.attachment_add(
        case=case,
        user=teller,
        kind="identity_document",
        upload=SimpleUploadedFile("運転免許証.png", PNG),
    )


def withdraw_url(attachment) -> str:
    return reverse("incidents:attachment_withdraw", args=[attachment.case_id, attachment.pk])


def documents_url(attachment) -> str:
    return reverse("incidents:case_documents", args=[attachment.case_id])


def download_url(attachment) -> str:
    return reverse("incidents:attachment_download", args=[attachment.case_id, attachment.pk])


def test_the_branchs_supervisor_withdraws_a_document_with_the_reason_on_the_timeline(
    client, supervisor, attached
):
    client.force_login(supervisor)
    response = client.post(
        withdraw_url(attached), factories.stamped(attached.case, reason=f"  {REASON} ")
    )
    assert response.status_code == 302
    assert response["Location"] == documents_url(attached) + "#attachments"
    withdrawal = AttachmentWithdrawal.objects.get(attachment=attached)
    assert (withdrawal.withdrawn_by, withdrawal.reason) == (supervisor, REASON)
    event = TimelineEvent.objects.get(case=attached.case, kind="attachment_withdrawn")
    assert event.actor == supervisor
    assert "運転免許証.png" in event.message and REASON in event.message
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="attachment-withdrawn"' in html and REASON in html
    assert download_url(attached) not in html  # no download button for the branch


def test_withdrawing_twice_keeps_the_first_withdrawal_and_records_it_once(
    client, supervisor, other_supervisor, attached
):
    client.force_login(supervisor)
    client.post(withdraw_url(attached), factories.stamped(attached.case, reason=REASON))
    client.force_login(other_supervisor)
    client.post(withdraw_url(attached), factories.stamped(attached.case, reason="二度目の理由"))
    assert AttachmentWithdrawal.objects.get(attachment=attached).reason == REASON
    assert TimelineEvent.objects.filter(kind="attachment_withdrawn").count() == 1


def test_a_withdrawn_document_is_for_the_auditors_only(
    client, teller, supervisor, monitoring_agent, compliance_officer, attached
):
    documents.attachment_withdraw(attachment=attached, user=supervisor, reason=REASON)
    for user in (teller, supervisor, monitoring_agent):
        client.force_login(user)
        assert client.get(download_url(attached)).status_code == 404, user
    client.force_login(compliance_officer)
    response = client.get(download_url(attached))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert download_url(attached) in client.get(documents_url(attached)).content.decode()


def test_a_reason_is_required_and_a_long_one_is_kept_with_a_japanese_message(
    client, supervisor, attached
):
    client.force_login(supervisor)
    response = client.post(withdraw_url(attached), {"reason": "   "})
    assert response.status_code == 200
    assert "取り下げの理由を入力してください。" in response.content.decode()
    too_long = "誤" * 201
    response = client.post(withdraw_url(attached), {"reason": too_long})
    html = response.content.decode()
    assert response.status_code == 200
    assert "取り下げの理由は200文字以内で入力してください（いまは201文字です）。" in html
    assert f'value="{too_long}"' in html  # what was typed is still there to shorten
    # The 期限・書類 tab's page, with the header, not the case page.
    assert 'data-testid="documents-tab"' in html and 'data-testid="case-header"' in html
    assert 'id="tab-report"' not in html
    assert not AttachmentWithdrawal.objects.exists()


def test_only_the_cases_own_supervisor_may_withdraw(
    client, teller, other_branch, compliance_officer, attached
):
    client.force_login(teller)
    assert client.post(withdraw_url(attached), {"reason": REASON}).status_code == 403
    client.force_login(factories.staff("supervisor_b", "supervisor", other_branch))
    assert client.post(withdraw_url(attached), {"reason": REASON}).status_code == 404
    client.force_login(compliance_officer)
    assert client.post(withdraw_url(attached), {"reason": REASON}).status_code in (403, 404)
    with pytest.raises(documents.AttachmentWithdrawalError):
        documents.attachment_withdraw(attachment=attached, user=teller, reason=REASON)
    assert not AttachmentWithdrawal.objects.exists()


def test_a_withdrawal_is_append_only_and_needs_a_reason_in_the_database(supervisor, attached):
    withdrawal = documents.attachment_withdraw(attachment=attached, user=supervisor, reason=REASON)
    with pytest.raises(DatabaseError), transaction.atomic():
        AttachmentWithdrawal.objects.filter(pk=withdrawal.pk).update(reason="書き換え")
    with pytest.raises(DatabaseError), transaction.atomic():
        AttachmentWithdrawal.objects.filter(pk=withdrawal.pk).delete()
    other = documents.attachment_add(
        case=attached.case, user=attached.uploaded_by, kind="other",
        upload=SimpleUploadedFile("b.png", PNG),
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        AttachmentWithdrawal.objects.create(attachment=other, withdrawn_by=supervisor, reason="")
