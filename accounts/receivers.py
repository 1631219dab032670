"""The sign-in log follows Django's and django-axes' signals."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import services, state
from accounts.choices import SignInEventKind

# Marks a failure of the one-time password in the credentials sent with ``user_login_failed``.
OTP_CREDENTIAL = "mamori_one_time_password"


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def _login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:150]
    services.sign_in_event_record(
        kind=SignInEventKind.OTP_FAILED
        if credentials.get(OTP_CREDENTIAL)
        else SignInEventKind.PASSWORD_FAILED,
        request=request,
        user=services.user_by_username(username),
        username=username,
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    username = str(username or "")[:150]
    services.sign_in_event_record(
        kind=SignInEventKind.LOCKED_OUT,
        request=request,
        user=services.user_by_username(username),
        username=username,
    )


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender, request=None, user=None, **kwargs) -> None:
    # The idle clock starts at sign-in (also for sessions a test opens with force_login).
    if request is not None and hasattr(request, "session"):
        state.activity_touch(request, force=True)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender, request=None, user=None, **kwargs) -> None:
    if user is None:
        return
    idle = getattr(request, state.IDLE_LOGOUT, False)
    services.sign_in_event_record(
        kind=SignInEventKind.IDLE_SIGNED_OUT if idle else SignInEventKind.SIGNED_OUT,
        request=request,
        user=user,
    )
