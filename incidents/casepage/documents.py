"""The case page's 期限・書類 tab, loaded when opened: the case's deadlines (those closed by hand
with their button), its attachments (also those of the reports merged into it) with the upload and
withdraw forms, and the links to other cases. A whole page with the header without script, the
bare fragment (``?partial=1``) for static/js/case_tabs.js; the forms in it come back here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.access.predicates import (
    attachment_may_open_withdrawn,
    attachment_may_withdraw,
    can_attach,
    can_follow_up,
)
from incidents.casepage.detail import from_merged, tab_response
from incidents.casepage.forms import AttachmentForm, AttachmentWithdrawForm
from incidents.cases import services
from incidents.cases.selectors import (
    case_get_for_tab,
    case_merged_reports,
    case_standing_merges,
)
from incidents.deadlines.selectors import deadline_list_for_case
from incidents.links.selectors import case_links, skimming_window
from incidents.models import Attachment, Case
from incidents.models.choices import MANUAL_DEADLINE_KINDS

FRAGMENT = "incidents/_case_documents.html"


def documents_url(case: Case, anchor: str = "") -> str:
    """The 期限・書類 tab's own page (where its forms send the user back), at ``anchor``."""
    return reverse("incidents:case_documents", args=[case.pk]) + (f"#{anchor}" if anchor else "")


# A look changes nothing but the access log (one INSERT): no request transaction, as the other tabs.
@transaction.non_atomic_requests
@login_required
@require_GET
def case_documents(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case's deadlines, documents and links to other cases (期限・書類), the tab loaded when
    opened; the look is logged."""
    case = case_get_for_tab(user=request.user, pk=pk, documents=True)
    services.case_access_record(
        case=case, user=request.user, view="case_documents", path=request.path
    )
    return documents_response(request, case)


def documents_response(request: AuthedRequest, case: Case, **extra) -> HttpResponse:
    """The tab (its page, or the fragment with ``?partial=1``), ``extra`` over its context: a
    form sent back with its errors."""
    context = case_documents_context(request, case) | extra
    return tab_response(request, case, "documents", FRAGMENT, context)


def case_documents_context(request: AuthedRequest, case: Case) -> dict:
    """What the 期限・書類 tab shows, and the forms the user may send from it."""
    merged = case_merged_reports(case=case, merges=case_standing_merges(case=case))
    shown = [case.pk, *(m.merged_id for m in merged)]
    context = {
        "case": case,
        # The customer's follow-ups are the receipt's; the tab shows the deadlines behind them.
        "deadlines": deadline_list_for_case(case=case),
        "manual_deadline_kinds": MANUAL_DEADLINE_KINDS,
        "can_follow_up": can_follow_up(request.user, case),
        "attachments": from_merged(
            Attachment.objects.filter(case_id__in=shown).select_related(
                "uploaded_by", "withdrawal__withdrawn_by"
            ),
            merged,
        ),
        "can_open_withdrawn": attachment_may_open_withdrawn(user=request.user),
        "links": case_links(case=case, user=request.user),
        "skimming_days": skimming_window().days,
    }
    if can_attach(request.user, case):
        context["attachment_form"] = AttachmentForm()
    if attachment_may_withdraw(user=request.user, case=case):
        context["withdraw_form"] = AttachmentWithdrawForm()
    return context
