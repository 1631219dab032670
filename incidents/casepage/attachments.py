"""Documents customers hand in: attach to a case, download (logged) through the case's scoping,
never from a public URL, and withdraw one attached by mistake."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedRequest
from accounts.services import client_ip
from incidents.access.predicates import (
    attachment_may_open_withdrawn,
    attachment_may_withdraw,
    can_attach,
)
from incidents.attachments import services as documents
from incidents.attachments import storage as attachments
from incidents.casepage.documents import documents_response, documents_url
from incidents.casepage.forms import AttachmentForm, AttachmentWithdrawForm
from incidents.cases import services
from incidents.cases.edits import STALE_ACTION_MESSAGE, EditStamp
from incidents.cases.selectors import case_get_for_tab
from incidents.models import Attachment, Case
from incidents.models.querysets import CHANGE, VIEW


@login_required
@require_POST
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """Attach one document to the case (its type is read from the content)."""
    case = get_object_or_404(Case.objects.restrict(request.user, CHANGE), pk=pk)
    if not can_attach(request.user, case):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = documents.attachment_add(
                case=case,
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                stamp=EditStamp.from_request(request),
            )
        except attachments.AttachmentRefused as refused:
            form.add_error("file", attachments.refusal_words(refused))
        except services.EditReplayed:
            return redirect(documents_url(case, "attachments"))
        except services.StaleCaseError:
            messages.error(request, STALE_ACTION_MESSAGE)
            form.add_error("file", _("もう一度ファイルを選んで添付してください。"))
        else:
            messages.success(
                request, _("「%(name)s」を添付しました。") % {"name": attachment.original_name}
            )
            return redirect(documents_url(case, "attachments"))
    # Back to the tab the form is on, the form with its errors and what was typed.
    case = case_get_for_tab(user=request.user, pk=pk, documents=True)
    return documents_response(request, case, attachment_form=form)


@login_required
@require_GET
def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Send one document as a download (never shown inline); every download is logged."""
    attachment = get_object_or_404(
        Attachment.objects.restrict(request.user, VIEW).select_related("case", "withdrawal"),
        pk=attachment_pk,
        case_id=pk,
    )
    if hasattr(attachment, "withdrawal") and not attachment_may_open_withdrawn(user=request.user):
        raise Http404
    try:
        handle = attachments.path_of(attachment.storage_name).open("rb")
    except (OSError, ValueError) as error:
        raise Http404 from error
    documents.attachment_download_record(
        attachment=attachment, user=request.user, ip_address=client_ip(request)
    )
    services.case_access_record(
        case=attachment.case, user=request.user, view="attachment", path=request.path
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_withdraw(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    """Take a document attached by mistake off the case (the branch's supervisor, with a reason)."""
    attachment = get_object_or_404(
        Attachment.objects.restrict(request.user, CHANGE).select_related("case"),
        pk=attachment_pk,
        case_id=pk,
    )
    if not attachment_may_withdraw(user=request.user, case=attachment.case):
        raise PermissionDenied
    form = AttachmentWithdrawForm(request.POST)
    if form.is_valid():
        try:
            documents.attachment_withdraw(
                attachment=attachment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                stamp=EditStamp.from_request(request),
            )
        except services.EditReplayed:
            return redirect(documents_url(attachment.case, "attachments"))
        except services.StaleCaseError:
            messages.error(request, STALE_ACTION_MESSAGE)
            return redirect(documents_url(attachment.case, "attachments"))
        messages.success(
            request, _("「%(name)s」を取り下げました。") % {"name": attachment.original_name}
        )
        return redirect(documents_url(attachment.case, "attachments"))
    case = case_get_for_tab(user=request.user, pk=pk, documents=True)
    return documents_response(
        request, case, withdraw_form=form, withdraw_attachment_pk=attachment.pk
    )
