"""The transfer-fraud desk's lists: receiving accounts in two or more cases, and ATMs where
counterfeit cards were used in two or more cases within days (possible skimming points).

Compliance sees every branch; a supervisor the links that involve their branch's cases, with the
other branches' cases as a count (incidents.links).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthedRequest
from incidents.links import selectors as links

# How far back the lists look: the desk works on recent fraud (a freeze needs speed).
SINCE_CHOICES = {
    "90": (_("直近90日"), 90),
    "365": (_("直近1年"), 365),
    "all": (_("すべて"), None),
}
DEFAULT_SINCE = "365"


def _since(request: HttpRequest) -> tuple[str, date | None]:
    code = request.GET.get("since", DEFAULT_SINCE)
    if code not in SINCE_CHOICES:
        code = DEFAULT_SINCE
    days = SINCE_CHOICES[code][1]
    return code, (timezone.localdate() - timedelta(days=days)) if days else None


@login_required
@permission_required("incidents.view_case_links", raise_exception=True)
@require_GET
def receiving_accounts(request: AuthedRequest) -> HttpResponse:
    """Receiving accounts that got money from two or more cases: candidates for a freeze."""
    code, since = _since(request)
    return render(
        request,
        "incidents/links/accounts.html",
        {
            "accounts": links.receiving_accounts(user=request.user, since=since),
            "since": code,
            "since_choices": [(key, label) for key, (label, _days) in SINCE_CHOICES.items()],
            "limit": links.LIST_LIMIT,
        },
    )


@login_required
@permission_required("incidents.view_case_links", raise_exception=True)
@require_GET
def skimming_points(request: AuthedRequest) -> HttpResponse:
    """ATMs where two or more counterfeit-card cases withdrew within the window of each other."""
    code, since = _since(request)
    return render(
        request,
        "incidents/links/atms.html",
        {
            "points": links.skimming_points(user=request.user, since=since),
            "window_days": links.skimming_window().days,
            "since": code,
            "since_choices": [(key, label) for key, (label, _days) in SINCE_CHOICES.items()],
            "limit": links.LIST_LIMIT,
        },
    )
