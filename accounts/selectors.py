"""Reads of signing in."""

from __future__ import annotations

from datetime import datetime

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import FAILURE_KINDS, SignInEventKind
from accounts.models import SignInEvent


def sign_in_previous(*, user, before: SignInEvent) -> SignInEvent | None:
    """The member of staff's sign-in before this one (前回ご利用日時)."""
    return (
        SignInEvent.objects.filter(user=user, kind=SignInEventKind.SIGNED_IN, pk__lt=before.pk)
        .order_by("-at", "-pk")
        .first()
    )


def sign_in_failures_between(*, user, since: datetime | None, until: datetime) -> int:
    """Failed attempts on the account between two sign-ins: someone else may have tried."""
    failures = SignInEvent.objects.filter(user=user, kind__in=FAILURE_KINDS, at__lte=until)
    if since is not None:
        failures = failures.filter(at__gt=since)
    return failures.count()


def otp_confirmed_device(*, user) -> TOTPDevice | None:
    """The member of staff's authenticator, once enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(*, user) -> int:
    """Recovery codes not yet used."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
