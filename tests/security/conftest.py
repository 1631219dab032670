"""Fixtures of the security tests: a second factor switched on, codes computed from a device's
key, sign-in through the real login form."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories


@pytest.fixture
def otp_required(settings):
    settings.MAMORI_REQUIRE_OTP = True
    return settings


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later), computed from
    the device's key as the app does."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user) -> TOTPDevice:
    """A confirmed authenticator for ``user`` (as if enrolled earlier)."""
    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def password_step(client, username: str, password: str = factories.PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)
