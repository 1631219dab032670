"""Request guards: body size, idle logout, the owed second factor."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts import state
from accounts.errors import bad_request, bad_request_response, too_large_response
from accounts.http import json_error, wants_json

logger = logging.getLogger(__name__)

# A multipart body may carry one attachment and a few form fields.
MULTIPART_OVERHEAD = 64 * 1024
DRAIN_CHUNK = 64 * 1024


class RequestSizeLimitMiddleware:
    """Refuse an oversize body with 413 before anything reads it (Japanese page, or JSON); read
    what is left of an accepted body once the answer is ready.

    Django reads only form bodies: a ``text/plain`` or JSON body a view ignores stays on the
    connection, and gunicorn gives up on a kept-alive connection whose leftover exceeds its own
    small drain limit, cutting off the client's next request. The bytes read here are bounded by
    the limit checked first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return bad_request_response(request, _("送信された内容の長さが正しくありません。"))
        if request.content_type == "multipart/form-data":
            limit = settings.MAMORI_ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return too_large_response(request)
        if request.method == "POST":
            # Parse the form body now, so a malformed one (too many fields, a broken multipart)
            # is refused whether or not the view reads it, as the CSRF check would.
            try:
                request.POST  # noqa: B018 — parsing is the point
            except (SuspiciousOperation, MultiPartParserError, ValueError) as error:
                response = bad_request(request, error)
                drain_body(request)
                return response
        response = self.get_response(request)
        drain_body(request)
        return response


def drain_body(request: HttpRequest) -> None:
    """Read and drop what nobody read of the request body (never more than its Content-Length),
    so that the next request on a kept-alive connection starts where the client put it."""
    try:
        while request.read(DRAIN_CHUNK):
            pass
    except UnreadablePostError:
        pass  # the client went away: there is no connection left to keep


class IdleTimeoutMiddleware:
    """End the session after ``MAMORI_IDLE_TIMEOUT`` seconds without using the terminal.

    The page's script warns a minute before and saves the draft on screen; this is the server's
    own enforcement, whatever the browser does. A request arriving too late to a view marked with
    ``idle_rescue`` (an intake step, the autosave) has its data kept before the session ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        last = request.session.get(state.LAST_ACTIVITY)
        try:
            idle = time.time() - float(last) if last is not None else 0.0
        except (TypeError, ValueError):
            idle = float("inf")
        if idle > state.idle_timeout():
            rescue = getattr(view_func, "idle_rescue", None)
            saved = False
            if rescue is not None and request.method == "POST":
                try:
                    saved = bool(rescue(request, view_kwargs))
                except Exception:  # the logout must happen whatever the rescue met
                    logger.exception("idle rescue failed for %s", request.path)
            setattr(request, state.IDLE_LOGOUT, True)
            logout(request)
            if wants_json(request, view_func):
                return json_error(
                    _("一定時間操作がなかったため、自動的にログアウトしました。"),
                    401,
                    code="idle_timeout",
                    saved=saved,
                    login_url=reverse(settings.LOGIN_URL),
                )
            query = {"timeout": "1"}
            if request.method == "GET":
                query["next"] = request.get_full_path()
            elif saved:
                query["next"] = request.path
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode(query)}")
        if not getattr(view_func, "idle_exempt", False):
            state.activity_touch(request)
        return None


class SecondFactorMiddleware:
    """While the one-time password is owed (or, where it is required, not yet given), only the
    sign-in pages answer; everything else sends the member of staff to give it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if getattr(view_func, "second_factor_exempt", False):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        owed = request.session.get(state.PENDING) or (
            settings.MAMORI_REQUIRE_OTP and not user.is_verified()
        )
        if not owed:
            return None
        if wants_json(request, view_func):
            return json_error(
                _("ワンタイムパスワードの入力が必要です。"), 403, code="second_factor_required"
            )
        target = reverse("accounts:otp_verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every answer Django gives: case pages, receipts,
    letters, exports, downloads, the queue, notices, sign-in pages and error pages alike. No
    browser, proxy or shared terminal's cache may keep a customer's data. Static files are served
    (and cached) by WhiteNoise before this middleware is reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
