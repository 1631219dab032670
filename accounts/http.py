"""Small HTTP helpers: who wants JSON, JSON errors, where a ``next`` may send the browser, and view
markers the middleware reads."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest, JsonResponse

# Longer than any page of ours with its filters; a longer target is refused.
NEXT_MAX_LENGTH = 2000


def wants_json(request: HttpRequest, view_func: Callable | None = None) -> bool:
    """A JSON endpoint, or a client that sent or asked for JSON (the pages' scripts do)."""
    if view_func is not None and getattr(view_func, "json_endpoint", False):
        return True
    match = getattr(request, "resolver_match", None)
    if match is not None and getattr(match.func, "json_endpoint", False):
        return True
    accept = request.headers.get("Accept", "")
    return accept.startswith("application/json") or request.content_type == "application/json"


def safe_next(value: object, default):
    """The only way a view picks where to send the browser from user input (a ``next`` field or
    parameter, a link kept in the database): ``value`` if it is a path of this site, else
    ``default``.

    A path of this site starts with exactly one ``/``, has no backslash, whitespace or control
    character (browsers drop tabs and newlines and read ``\\`` as ``/``, which turns ``/\\evil``
    or ``//%09/evil`` into another site), no scheme or host when parsed, and, percent-decoded,
    still neither a second leading slash nor such a character; nor is it absurdly long.
    """
    if not isinstance(value, str) or not 0 < len(value) <= NEXT_MAX_LENGTH:
        return default
    if not value.startswith("/") or value.startswith("//") or _has_unsafe_character(value):
        return default
    try:
        parts = urlsplit(value)
    except ValueError:
        return default
    if parts.scheme or parts.netloc:
        return default
    path = unquote(parts.path)
    if path.startswith("//") or _has_unsafe_character(path):
        return default
    return value


def _has_unsafe_character(text: str) -> bool:
    # Categories C* (control, format, surrogate, private, unassigned) and Z* (separators).
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char)[0] in "CZ" for char in text
    )


def json_error(message: str, status: int, **extra) -> JsonResponse:
    """An error a script can show: ``{"error": "…", "status": 400, …}``."""
    return JsonResponse({"error": str(message), "status": status, **extra}, status=status)


def json_endpoint(view: Callable) -> Callable:
    """Mark a view as answering JSON: its errors (400, 401, 403, 404, 413, 500) are JSON too."""
    view.json_endpoint = True
    return view


def idle_exempt(view: Callable) -> Callable:
    """Requests to this view do not count as using the terminal (a status poll, an autosave)."""
    view.idle_exempt = True
    return view


def second_factor_exempt(view: Callable) -> Callable:
    """Reachable while the one-time password is still owed (the login and OTP pages, logout)."""
    view.second_factor_exempt = True
    return view


def idle_rescue(rescue: Callable[[HttpRequest, dict], None]) -> Callable:
    """When a request to this view arrives after the idle timeout, ``rescue(request, kwargs)`` is
    called (still signed in) before the session ends: it keeps what the request carried."""

    def mark(view: Callable) -> Callable:
        view.idle_rescue = rescue
        return view

    return mark


def json_methods(*methods: str) -> Callable:
    """Like ``require_http_methods``, with the refusal in JSON."""
    from functools import wraps

    from django.utils.translation import gettext as _

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def inner(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = json_error(_("この操作はできません。"), 405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        inner.json_endpoint = True
        return inner

    return decorator


def json_login_required(view: Callable) -> Callable:
    """Like ``login_required``, answering 401 in JSON rather than sending to the login page."""
    from functools import wraps

    from django.utils.translation import gettext as _

    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return json_error(_("ログインしていません。"), 401, code="signed_out")
        return view(request, *args, **kwargs)

    inner.json_endpoint = True
    return inner
