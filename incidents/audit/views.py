"""Compliance: who looked at which case, and what was refused."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.audit.forms import AccessLogFilterForm
from incidents.audit.selectors import access_log_search, refusal_search
from incidents.cases.records import access_record_label
from incidents.models import AccessRefusal, CaseAccess


@login_required
@permission_required("incidents.view_access_log", raise_exception=True)
@require_GET
def access_log(request: AuthedRequest) -> HttpResponse:
    """Compliance: who looked at which case, and when; and who was refused, where."""
    form = AccessLogFilterForm(request.GET or None)
    rows: list[CaseAccess] = []
    refusals: list[AccessRefusal] = []
    has_next, page = False, 1
    refusals_next, refusal_page = False, 1
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        filters = {
            "staff": data.get("staff", ""),
            "case_number": data.get("case_number", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
        page = data.get("page") or 1
        refusal_page = data.get("refusal_page") or 1
        rows, has_next = access_log_search(**filters, page=page)
        refusals, refusals_next = refusal_search(**filters, page=refusal_page)
    return render(
        request,
        "incidents/access_log.html",
        {
            "form": form,
            # With each row's record beside the cases named in the reader's language.
            "rows": [(row, access_record_label(row)) for row in rows],
            "has_next": has_next,
            "page_number": page,
            "refusals": refusals,
            "refusals_next": refusals_next,
            "refusal_page": refusal_page,
        },
    )
