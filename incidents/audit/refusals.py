"""Refused access, recorded for compliance (拒否されたアクセス).

One place records it: a middleware that looks at the response. A view refuses by raising
PermissionDenied or Http404 (a case outside the user's scope is a 404, as if it did not exist);
ATOMIC_REQUESTS rolls the view's transaction back, and the response reaches this middleware only
after that, so the row written here stays.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse

from accounts.services import client_ip
from incidents.cases.validators import BIGINT_MAX
from incidents.models import AccessRefusal

logger = logging.getLogger(__name__)

# URL namespaces whose ``pk`` is a case: /cases/<pk>/…, /cases/<pk>/compensation/… and the API's
# /api/v1/cases/<pk>/ (named by namespace: incidents imports nothing of the API).
CASE_NAMESPACES = {"incidents", "compensation", "api"}


# Set on the request by a view whose URL names a case by something else than its id (the API's
# stop callback names a stop request's key): the case it refused.
REFUSED_CASE_ATTRIBUTE = "refused_case_id"


def _case_named(request: HttpRequest) -> int | None:
    """The id of the case the URL names, if it names one."""
    noted = getattr(request, REFUSED_CASE_ATTRIBUTE, None)
    if isinstance(noted, int):
        return noted
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace not in CASE_NAMESPACES:
        return None
    pk = match.kwargs.get("pk")
    return pk if isinstance(pk, int) and 1 <= pk <= BIGINT_MAX else None


def refusal_record(*, request: HttpRequest, status: int) -> AccessRefusal | None:
    """Record a refused request: a 403 to a member of staff, or a 404 on a URL naming a case."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    case_id = _case_named(request)
    if status != AccessRefusal.Status.FORBIDDEN and case_id is None:
        return None
    match = getattr(request, "resolver_match", None)
    with transaction.atomic():
        return AccessRefusal.objects.create(
            user_id=user.pk,
            method=(request.method or "")[:10],
            path=request.path[:200],
            view=(match.view_name if match else "")[:100],
            status=status,
            case_id=case_id,
            ip_address=client_ip(request),
        )


class AccessRefusalMiddleware:
    """After the response: every 403 and every 404 on a case's URL is recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in AccessRefusal.Status.values:
            try:
                refusal_record(request=request, status=response.status_code)
            except DatabaseError:
                # The refusal stands; a log that cannot be written is an alert, not a 500.
                logger.exception("could not record a refused access to %s", request.path)
        return response
