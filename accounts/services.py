"""Writes of signing in: the sign-in log, completing a sign-in, one-time password devices."""

from __future__ import annotations

import ipaddress
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout, selectors, state
from accounts.choices import SecondFactor, SignInEventKind
from accounts.models import SignInEvent

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "default"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address they saw."""
    address = request.META.get("REMOTE_ADDR", "")
    count = int(getattr(settings, "MAMORI_TRUSTED_PROXY_COUNT", 0) or 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def sign_in_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    second_factor: str = "",
    actor=None,
) -> SignInEvent:
    """Append one event to the sign-in log."""
    meta = request.META if request is not None else {}
    return SignInEvent.objects.create(
        user=user,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        kind=kind,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:255],
        second_factor=second_factor,
        actor=actor,
    )


def sign_in_complete(*, request: HttpRequest, user, second_factor: str) -> SignInEvent | None:
    """The member of staff is in: log it, clear their failed attempts, and remember the previous
    sign-in (time, address, terminal) for the header. Returns the previous sign-in."""
    request.session.pop(state.PENDING, None)
    event = sign_in_event_record(
        kind=SignInEventKind.SIGNED_IN, request=request, user=user, second_factor=second_factor
    )
    previous = selectors.sign_in_previous(user=user, before=event)
    failures = selectors.sign_in_failures_between(
        user=user, since=previous.at if previous else None, until=event.at
    )
    request.session[state.PREVIOUS_SIGNIN] = (
        {
            "at": previous.at.isoformat(),
            "ip": previous.ip_address or "",
            "terminal": previous.terminal,
            "failures": failures,
        }
        if previous
        else {"first": True, "failures": failures}
    )
    state.activity_touch(request, force=True)
    # The pair's failures count towards the lockout until the whole sign-in succeeds (never the
    # password alone); the account's other addresses keep theirs.
    lockout.forget(username=user.get_username(), ip_address=client_ip(request))
    return previous


def normalize_token(token: str) -> str:
    """What staff type: full-width digits, spaces and hyphens are fine."""
    text = unicodedata.normalize("NFKC", token or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").lower()


def otp_enrolment_device(*, user) -> TOTPDevice:
    """The member of staff's unconfirmed authenticator device, made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def otp_enrolment_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the device with its first code; issue recovery codes (returned once, stored only
    in django-otp's table). An empty list means the code was wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(normalize_token(token)):
        return []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    recovery = StaticDevice.objects.create(user=device.user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    otp_login(request, device)
    sign_in_event_record(kind=SignInEventKind.OTP_ENROLLED, request=request, user=device.user)
    return codes


def otp_verify(*, request: HttpRequest, user, token: str) -> str | None:
    """Check a one-time password (or a recovery code) and mark the session verified.

    Returns the second factor used (``SecondFactor``), or None when the code is wrong. Each
    device throttles its own guesses (django-otp); the lockout counts them (the caller reports
    the failure to django-axes).
    """
    token = normalize_token(token)
    if not token or len(token) > 16:
        return None
    for model, factor in (
        (TOTPDevice, SecondFactor.TOTP),
        (StaticDevice, SecondFactor.RECOVERY_CODE),
    ):
        if factor == SecondFactor.TOTP and not token.isdigit():
            continue
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            otp_login(request, device)
            if factor == SecondFactor.RECOVERY_CODE:
                sign_in_event_record(
                    kind=SignInEventKind.RECOVERY_CODE_USED, request=request, user=user
                )
            return factor
    return None


@transaction.atomic
def otp_devices_reset(*, user, actor, request: HttpRequest | None = None) -> int:
    """An administrator removes a member of staff's authenticator and recovery codes (a lost
    phone): the next sign-in enrols again. Returns how many devices were removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    sign_in_event_record(kind=SignInEventKind.OTP_RESET, request=request, user=user, actor=actor)
    return removed


def user_by_username(username: str):
    """The member of staff an attempt named, if any (the log links failures to the account)."""
    if not username:
        return None
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
