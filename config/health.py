"""/healthz: the state of the database and the broker, for load balancers and the monitoring center.

It must answer — 503 in JSON — precisely when PostgreSQL is down, so nothing on its way may need the
database:

- the view runs outside the request's transaction (``ATOMIC_REQUESTS`` would open one before the
  view and commit it after, and either fails with the database gone);
- ``HealthProbeMiddleware`` makes the request anonymous whatever session cookie came with it, so
  the language, one-time-password, idle-timeout and history middleware read neither the session
  nor the user;
- it takes GET and HEAD only and is exempt from CSRF: a POST is a plain 405, not the CSRF page
  (whose template reads the user);
- it is a JSON endpoint, so even an unexpected error is answered in JSON.

It lives in config, not in an app: it asks the Celery app (config) about the broker.
"""

from __future__ import annotations

import contextlib

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from accounts.http import json_endpoint, second_factor_exempt
from config.celery_app import app

# The URL, without its leading slash (config/urls.py routes it; the middleware recognises it).
PATH = "healthz"


def _database() -> str:
    """``ok``, or ``error: <exception>``. A connection kept from before a database restart fails
    once: it is closed and a fresh one is tried before the database is reported down."""
    error: Exception | None = None
    for _attempt in range(2):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as exc:
            error = exc
            if connection.in_atomic_block:  # only under a test's transaction: do not retry
                break
            with contextlib.suppress(Exception):
                connection.close()
        else:
            return "ok"
    return f"error: {error.__class__.__name__}"


def _broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


@transaction.non_atomic_requests
@second_factor_exempt
@json_endpoint
@csrf_exempt
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 ``{"status": "ok", …}`` when the database and the broker answer, else 503 naming the
    one that does not."""
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


class HealthProbeMiddleware:
    """A request to /healthz is answered as nobody: ``request.user`` is the anonymous user, so no
    middleware after this one loads the session or the user from the database (which may be what
    is down). Placed right after Django's AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == f"/{PATH}":
            request.user = AnonymousUser()
        return self.get_response(request)
