"""The interface language: Japanese unless the member of staff chose English.

The browser's Accept-Language is ignored on purpose: a branch terminal's browser setting says
nothing about the teller using it. A signed-in member of staff's choice lives on their User row
(emails follow it too); before sign-in the language cookie, else Japanese.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.http import safe_next

if TYPE_CHECKING:
    # A request whose POST may be replaced by any QueryDict (the stubs' POST is the immutable
    # one Django parses); the same HttpRequest at run time.
    from django_stubs_ext import MutableHttpRequest

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def request_language(request: HttpRequest) -> str:
    """The language to speak to this request in."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    return cookie_language(request)


def cookie_language(request: HttpRequest) -> str:
    """The language chosen before sign-in (the cookie), else Japanese; no database read."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie if cookie in SUPPORTED else settings.LANGUAGE_CODE


class StaffLanguageMiddleware:
    """Activate the staff member's language (after authentication, in place of LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


@require_POST
def set_language(request: MutableHttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the member of staff's own record. It returns to
    ``next`` if that is a path of this site (``safe_next``), else to the start page."""
    form = request.POST.copy()
    form["next"] = safe_next(form.get("next") or request.GET.get("next"), "/")
    request.POST = form
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if language in SUPPORTED and user.is_authenticated and user.language != language:
        get_user_model().objects.filter(pk=user.pk).update(language=language)
    return response
