"""Error pages in Japanese (400, 403, 404, 413, 500); JSON for the pages' scripts and JSON
endpoints."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.http import json_error, wants_json
from accounts.language import cookie_language


def _page(request: HttpRequest, template: str, status: int, message: str) -> HttpResponse:
    if wants_json(request):
        return json_error(message, status)
    return render(request, template, {"message": message}, status=status)


def bad_request_response(request: HttpRequest, message: str) -> HttpResponse:
    return _page(request, "400.html", 400, message)


def too_large_response(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "413.html",
        413,
        _(
            "送信された内容が大きすぎます。添付ファイルや入力内容を小さくして、もう一度お試しください。"
        ),
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400: a malformed request; an oversize one is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large_response(request)
    if isinstance(exception, TooManyFieldsSent):
        return _page(
            request,
            "400.html",
            400,
            _("入力項目が多すぎます。画面を読み込み直してから、もう一度お試しください。"),
        )
    return bad_request_response(
        request,
        _(
            "送信された内容を受け付けられませんでした。画面を読み込み直してから、もう一度お試しください。"
        ),
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403."""
    return _page(request, "403.html", 403, _("この操作を行う権限がありません。"))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: also another branch's case, which must not be told apart from a missing one."""
    return _page(
        request,
        "404.html",
        404,
        _("お探しのページは見つかりませんでした（または閲覧できません）。"),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """500: no context processors or database reads; the template stands alone."""
    # In the language the request was being answered in, if it got that far; else the cookie's,
    # else Japanese. Not the member of staff's own setting: reading it needs the database, which
    # may be what failed.
    language = getattr(request, "LANGUAGE_CODE", None) or cookie_language(request)
    with translation.override(language):
        message = _(
            "システムでエラーが発生しました。入力した内容を確認し、"
            "しばらくしてからもう一度お試しください。"
        )
        if wants_json(request):
            return json_error(message, 500)
        html = loader.get_template("500.html").render({"message": message})
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (expired session, old tab): explain in Japanese; earlier steps are saved."""
    return render(request, "errors/csrf.html", status=403)
