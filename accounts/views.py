"""Signing in: password, one-time password (enrolment and verification), lockout, and the
endpoints the idle-logout script talks to."""

from __future__ import annotations

import math
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts import lockout, selectors, services, state
from accounts.choices import SecondFactor
from accounts.forms import OneTimePasswordForm
from accounts.http import (
    AuthedRequest,
    idle_exempt,
    json_error,
    json_login_required,
    json_methods,
    safe_next,
    second_factor_exempt,
    wants_json,
)
from accounts.language import request_language
from accounts.receivers import OTP_CREDENTIAL


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a path of this site, never another site or a view name."""
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next(target, reverse(settings.LOGIN_REDIRECT_URL))


class SafeNextMixin:
    """Django's sign-in and sign-out views, with ``next`` read by ``safe_next`` (Django's own check
    lets ``//%09/evil.example`` through)."""

    request: HttpRequest

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        # ``request`` as the stubs' RedirectURLMixin takes it (newer Django passes one); Django
        # 5.2 passes none: the view's own request.
        if request is None:
            request = self.request
        return safe_next(request.POST.get("next") or request.GET.get("next"), "")


def _with_next(name: str, next_url: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def previous_sign_in(request: HttpRequest) -> dict | None:
    """The previous sign-in remembered for this session, with its time as a datetime."""
    data = request.session.get(state.PREVIOUS_SIGNIN)
    if not isinstance(data, dict):
        return None
    shown = dict(data)
    if data.get("at"):
        shown["at"] = parse_datetime(data["at"])
    return shown


def _welcome(request: HttpRequest) -> None:
    """On the first page after signing in: when and where the account was last used, in the
    language of who signed in (the sign-in page spoke the cookie's)."""
    with translation.override(request_language(request)):
        _welcome_said(request)


def _welcome_said(request: HttpRequest) -> None:
    previous = previous_sign_in(request)
    if previous is None:
        return
    if previous.get("first"):
        messages.info(request, _("初めてのログインです。"))
    else:
        when = date_format(timezone.localtime(previous["at"]), _("Y年n月j日 H:i"))
        messages.info(
            request,
            _(
                "前回ご利用日時：%(when)s　IPアドレス：%(ip)s　端末：%(terminal)s"
                "（心当たりがない場合は、すぐに役席またはシステム管理者にご連絡ください）"
            )
            % {
                "when": when,
                "ip": previous.get("ip") or "—",
                "terminal": previous.get("terminal") or "—",
            },
        )
    if previous.get("failures"):
        messages.warning(
            request,
            _(
                "前回のログイン以降、このアカウントで%(count)d回ログインに失敗しています。"
                "心当たりがない場合は、役席またはシステム管理者にご連絡ください。"
            )
            % {"count": previous["failures"]},
        )


class StaffLoginView(SafeNextMixin, LoginView):
    """The password; then the one-time password (or its enrolment) before anything else."""

    template_name = "registration/login.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_logged_out"] = self.request.GET.get("timeout") == "1"
        context["otp_required"] = settings.MAMORI_REQUIRE_OTP
        return context

    def form_valid(self, form):
        super().form_valid(form)  # django.contrib.auth.login: a new session for this user
        user = form.get_user()
        next_url = self.get_success_url()
        if selectors.otp_confirmed_device(user=user) is not None:
            self.request.session[state.PENDING] = state.VERIFY
            return redirect(_with_next("accounts:otp_verify", next_url))
        if settings.MAMORI_REQUIRE_OTP:
            self.request.session[state.PENDING] = state.ENROL
            return redirect(_with_next("accounts:otp_setup", next_url))
        services.sign_in_complete(request=self.request, user=user, second_factor=SecondFactor.NONE)
        _welcome(self.request)
        return HttpResponseRedirect(next_url)


class StaffLogoutView(SafeNextMixin, LogoutView):
    """Signing out (POST), then the sign-in page or a ``next`` path of this site."""


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer: what happened, how long to wait and what to do, in Japanese."""
    seconds = lockout.seconds_left(request, credentials)
    minutes = max(math.ceil(seconds / 60), 1)
    message = _(
        "ログインに続けて失敗したため、この接続元（IPアドレス）からこのアカウントへのログインを"
        "一時的に停止しています。"
    )
    wait = ngettext(
        "%(minutes)s分ほど経ってから、もう一度お試しください。",
        "%(minutes)s分ほど経ってから、もう一度お試しください。",
        minutes,
    ) % {"minutes": minutes}
    answer: HttpResponse
    if wants_json(request):
        answer = json_error(f"{message}{wait}", 429, code="locked_out", retry_after=seconds)
    else:
        answer = render(
            request,
            "registration/locked_out.html",
            {"message": message, "wait": wait, "minutes": minutes},
            status=429,
        )
    if seconds:
        answer["Retry-After"] = str(seconds)
    return answer


@second_factor_exempt
@never_cache
@login_required
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """The one-time password of the sign-in (or a recovery code)."""
    user = request.user
    next_url = _next_url(request)
    pending = request.session.get(state.PENDING)
    if not pending and (user.is_verified() or not settings.MAMORI_REQUIRE_OTP):
        return HttpResponseRedirect(next_url)
    if selectors.otp_confirmed_device(user=user) is None:
        request.session[state.PENDING] = state.ENROL
        return redirect(_with_next("accounts:otp_setup", next_url))
    form = OneTimePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        factor = services.otp_verify(request=request, user=user, token=form.cleaned_data["token"])
        if factor is not None:
            services.sign_in_complete(request=request, user=user, second_factor=factor)
            _welcome(request)
            if factor == SecondFactor.RECOVERY_CODE:
                messages.warning(
                    request,
                    _(
                        "リカバリーコードでログインしました（残り%(left)d個）。"
                        "認証アプリを使えない場合は、システム管理者に再設定を依頼してください。"
                    )
                    % {"left": selectors.recovery_codes_left(user=user)},
                )
            return HttpResponseRedirect(next_url)
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username(), OTP_CREDENTIAL: True},
            request=request,
        )
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request, credentials={"username": user.get_username()})
        form.add_error(
            "token",
            _(
                "確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください"
                "（続けて間違えた場合は、少し待ってから入力してください）。"
            ),
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})


def _qr_svg(url: str) -> str:
    """The enrolment QR code as inline SVG, drawn here (no image service, no network)."""
    return segno.make(url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", svgclass="otp-qr", lineclass=None, title=_("QRコード")
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@second_factor_exempt
@never_cache
@login_required
def otp_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator app: QR code (or the key typed in), then its first code."""
    user = request.user
    next_url = _next_url(request)
    pending = request.session.get(state.PENDING)
    if selectors.otp_confirmed_device(user=user) is not None:
        if pending == state.VERIFY or (settings.MAMORI_REQUIRE_OTP and not user.is_verified()):
            return redirect(_with_next("accounts:otp_verify", next_url))
        return render(
            request,
            "accounts/otp_enrolled.html",
            {"codes_left": selectors.recovery_codes_left(user=user), "next": next_url},
        )
    device = services.otp_enrolment_device(user=user)
    form = OneTimePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.otp_enrolment_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        )
        if codes:
            request.session[state.RECOVERY_CODES] = codes
            messages.success(request, _("ワンタイムパスワードを登録しました。"))
            if pending:
                services.sign_in_complete(
                    request=request, user=user, second_factor=SecondFactor.TOTP
                )
                _welcome(request)
            return redirect(_with_next("accounts:recovery_codes", next_url))
        form.add_error(
            "token",
            _(
                "確認コードが正しくありません。認証アプリに表示されている最新の6桁を入力してください"
                "（端末の時刻がずれていないかもご確認ください）。"
            ),
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(secret),
            "next": next_url,
            "pending": bool(pending),
        },
    )


@second_factor_exempt
@never_cache
@login_required
def recovery_codes(request: AuthedRequest) -> HttpResponse:
    """The recovery codes, shown once right after enrolment."""
    codes = request.session.pop(state.RECOVERY_CODES, None)
    next_url = _next_url(request)
    if not codes:
        messages.info(request, _("リカバリーコードは登録直後に一度だけ表示されます。"))
        return HttpResponseRedirect(next_url)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})


@second_factor_exempt
@json_login_required
@json_methods("POST")
def keepalive(request: AuthedRequest) -> JsonResponse:
    """「ログインを継続」: the member of staff is still there."""
    state.activity_touch(request, force=True)
    return JsonResponse(
        {"ok": True, "remaining": state.idle_timeout(), "warning": state.idle_warning()}
    )


@second_factor_exempt
@idle_exempt
@json_login_required
@json_methods("GET")
def session_status(request: AuthedRequest) -> JsonResponse:
    """How long before the idle logout (another tab may have been used meanwhile)."""
    return JsonResponse(
        {
            "ok": True,
            "remaining": max(0, int(state.idle_seconds_left(request))),
            "timeout": state.idle_timeout(),
            "warning": state.idle_warning(),
        }
    )
