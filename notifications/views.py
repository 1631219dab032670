"""The recipient's notices: list, mark read, open the linked page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedRequest, safe_next
from notifications import services
from notifications.models import Notification
from notifications.selectors import notification_list

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list_view(request: AuthedRequest) -> HttpResponse:
    """The signed-in user's notices, newest first, unread highlighted."""
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(
        notification_list(user=request.user, unread_only=unread_only), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "notices": page.object_list, "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one notice read; with ``open`` go on to the page it links to."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notice.pk)
    if "open" in request.POST and safe_next(notice.url, None):
        return redirect(notice.url)
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    """Mark every notice of the signed-in user read."""
    services.notification_mark_all_read(user=request.user)
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    return safe_next(request.POST.get("next"), "notifications:list")
