"""Documents customers hand in: checked by content, stored outside the web roots under random
names, served only through the case's scoping as downloads, every download logged."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.attachments import services as documents
from incidents.models import Attachment, AttachmentDownload, CaseAccess, TimelineEvent
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def attachment_root(settings, tmp_path):
    settings.MAMORI_ATTACHMENT_ROOT = str(tmp_path / "attachments")
    return Path(settings.MAMORI_ATTACHMENT_ROOT)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def documents_url(case) -> str:
    return reverse("incidents:case_documents", args=[case.pk])


def upload(client, case, content: bytes, name: str, kind: str = "police_report"):
    return client.post(
        reverse("incidents:attachment_upload", args=[case.pk]),
        factories.stamped(
            case,
            kind=kind,
            file=SimpleUploadedFile(name, content, "application/pdf"),
            note="",
        ),
    )


def test_a_pdf_is_stored_outside_the_web_roots_under_a_random_name_with_its_digest(
    teller_client, teller, attachment_root
):
    case = factories.stolen_card_case(teller)
    response = upload(teller_client, case, PDF, "被害届.pdf")
    assert response.status_code == 302
    assert response["Location"] == documents_url(case) + "#attachments"
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size == len(PDF)
    assert attachment.original_name == "被害届.pdf"
    [path] = stored_files(attachment_root)
    assert path.name == attachment.storage_name and len(path.name) == 64
    assert "被害届" not in str(path) and path.suffix == ""
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    for served in (settings.STATIC_ROOT, settings.MEDIA_ROOT or settings.STATIC_ROOT):
        assert Path(served).resolve() not in path.resolve().parents
    assert TimelineEvent.objects.filter(case=case, kind="attachment_added").exists()


def test_a_renamed_executable_is_refused_and_nothing_is_kept(
    teller_client, teller, attachment_root
):
    case = factories.stolen_card_case(teller)
    response = upload(teller_client, case, EXE, "police-report.pdf")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PDF・JPEG・PNG のファイルだけを添付できます" in html
    # Sent back on the 期限・書類 tab's page (with the header), the kind chosen kept.
    assert 'data-testid="documents-tab"' in html and 'data-testid="case-header"' in html
    assert 'id="tab-report"' not in html
    assert re.search(r'<option value="police_report"[^>]*selected', html)
    assert not Attachment.objects.exists()
    assert stored_files(attachment_root) == []


def test_an_oversize_file_is_refused(teller_client, teller, settings, attachment_root):
    settings.MAMORI_ATTACHMENT_MAX_BYTES = 1024
    case = factories.stolen_card_case(teller)
    response = upload(teller_client, case, PNG + b"\x00" * 2048, "photo.png", "identity_document")
    assert response.status_code == 200
    assert "ファイルが大きすぎます" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(attachment_root) == []


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(teller_client, teller, settings):
    settings.MAMORI_ATTACHMENT_MAX_BYTES = 1024
    case = factories.stolen_card_case(teller)
    response = upload(teller_client, case, PDF + b"\x00" * 200_000, "big.pdf")
    assert response.status_code == 413
    assert "送信された内容が大きすぎます" in response.content.decode()


def test_the_download_is_an_attachment_with_nosniff_and_is_logged(
    client, teller, supervisor, compliance_officer
):
    case = factories.stolen_card_case(teller)
    attachment = documents.attachment_add(
        case=case,
        user=teller,
        kind="identity_document",
        upload=SimpleUploadedFile("運転免許証.png", PNG),
    )
    url = reverse("incidents:attachment_download", args=[case.pk, attachment.pk])
    for user in (supervisor, compliance_officer):
        client.force_login(user)
        response = client.get(url, REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E9%81%8B" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert "sandbox" in response["Content-Security-Policy"]
    logged = AttachmentDownload.objects.filter(attachment=attachment)
    assert {d.user for d in logged} == {supervisor, compliance_officer}
    assert {d.ip_address for d in logged} == {"203.0.113.5"}
    assert CaseAccess.objects.filter(case=case, view="attachment").count() == 2


def test_another_branchs_attachment_is_not_found(client, teller, other_teller, administrator):
    case = factories.stolen_card_case(teller)
    attachment = documents.attachment_add(
        case=case, user=teller, kind="police_report", upload=SimpleUploadedFile("a.pdf", PDF)
    )
    url = reverse("incidents:attachment_download", args=[case.pk, attachment.pk])
    for user in (other_teller, administrator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404
        assert "お探しのページは見つかりませんでした" in response.content.decode()
    # Nor through another case's address.
    client.force_login(other_teller)
    mine = factories.stolen_card_case(other_teller)
    wrong = reverse("incidents:attachment_download", args=[mine.pk, attachment.pk])
    assert client.get(wrong).status_code == 404
    assert not AttachmentDownload.objects.exists()


def test_another_branch_cannot_attach_to_a_case(client, teller, other_teller, attachment_root):
    case = factories.stolen_card_case(teller)
    client.force_login(other_teller)
    assert upload(client, case, PDF, "a.pdf").status_code == 404
    assert stored_files(attachment_root) == []


def test_attachments_and_their_downloads_are_append_only(teller):
    case = factories.stolen_card_case(teller)
    attachment = documents.attachment_add(
        case=case, user=teller, kind="police_report", upload=SimpleUploadedFile("a.pdf", PDF)
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).delete()


def test_the_documents_tab_lists_attachments_in_a_constant_number_of_queries(teller_client, teller):
    case = factories.stolen_card_case(teller)
    url = documents_url(case)
    teller_client.get(url)
    with CaptureQueriesContext(connection) as none:
        teller_client.get(url)
    for n in range(3):
        documents.attachment_add(
            case=case, user=teller, kind="other", upload=SimpleUploadedFile(f"{n}.pdf", PDF)
        )
    with CaptureQueriesContext(connection) as three:
        html = teller_client.get(url).content.decode()
    assert html.count('data-testid="attachment-row"') == 3
    assert len(three) == len(none)
