"""Small HTTP helpers: who wants JSON, JSON errors, where a ``next`` may send the browser, and view
markers the middleware reads."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, resolve

if TYPE_CHECKING:
    # The stubs' name for the user model of ``AUTH_USER_MODEL``: the django-stubs plugin reads it
    # as that model (incidents.User), so accounts names it without importing the case desk.
    from django.contrib.auth.models import _User

# Longer than any page of ours with its filters; a longer target is refused.
NEXT_MAX_LENGTH = 2000

_View = TypeVar("_View", bound=Callable[..., Any])


class AuthedRequest(HttpRequest):
    """The request of a view behind ``login_required`` (or a check of ``is_authenticated``): its
    user is a signed-in member of staff, never ``AnonymousUser``. For annotations only."""

    user: _User


# Keeps what a request carried when it arrives after the idle timeout (see ``idle_rescue``).
IdleRescue = Callable[[AuthedRequest, dict[str, Any]], bool]


def wants_json(request: HttpRequest, view_func: Callable | None = None) -> bool:
    """A JSON endpoint, or a client that sent or asked for JSON (the pages' scripts do)."""
    if view_func is not None and getattr(view_func, "json_endpoint", False):
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Refused before the URL was resolved (a body Django cannot parse, read by a
        # middleware): the endpoint the request was for still decides.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    if match is not None and getattr(match.func, "json_endpoint", False):
        return True
    accept = request.headers.get("Accept", "")
    return accept.startswith("application/json") or request.content_type == "application/json"


_Default = TypeVar("_Default", str, None)


def safe_next(value: object, default: _Default) -> str | _Default:
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


def json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    """An error a script can show: ``{"error": "…", "status": 400, …}``."""
    return JsonResponse({"error": str(message), "status": status, **extra}, status=status)


def _marked(view: _View, **marks: object) -> _View:
    """``view`` with the attributes (markers) the middleware reads from it."""
    for name, value in marks.items():
        setattr(view, name, value)
    return view


def json_endpoint(view: _View) -> _View:
    """Mark a view as answering JSON: its errors (400, 401, 403, 404, 413, 500) are JSON too."""
    return _marked(view, json_endpoint=True)


def idle_exempt(view: _View) -> _View:
    """Requests to this view do not count as using the terminal (a status poll, an autosave)."""
    return _marked(view, idle_exempt=True)


def second_factor_exempt(view: _View) -> _View:
    """Reachable while the one-time password is still owed (the login and OTP pages, logout)."""
    return _marked(view, second_factor_exempt=True)


def idle_rescue(rescue: IdleRescue) -> Callable[[_View], _View]:
    """When a request to this view arrives after the idle timeout, ``rescue(request, kwargs)`` is
    called (still signed in) before the session ends: it keeps what the request carried, and
    says whether it kept anything."""

    def mark(view: _View) -> _View:
        return _marked(view, idle_rescue=rescue)

    return mark


def json_methods(*methods: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Like ``require_http_methods``, with the refusal in JSON."""
    from functools import wraps

    from django.utils.translation import gettext as _

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method not in methods:
                response = json_error(_("この操作はできません。"), 405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return _marked(inner, json_endpoint=True)

    return decorator


def json_login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``login_required``, answering 401 in JSON rather than sending to the login page."""
    from functools import wraps

    from django.utils.translation import gettext as _

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return json_error(_("ログインしていません。"), 401, code="signed_out")
        return view(request, *args, **kwargs)

    return _marked(inner, json_endpoint=True)
