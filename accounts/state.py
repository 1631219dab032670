"""What the session remembers about signing in: the owed second factor, the last activity, the
previous sign-in shown to the member of staff."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

PENDING = "mamori.second_factor_pending"  # "verify" or "enrol" while the OTP is owed
LAST_ACTIVITY = "mamori.last_activity"  # Unix time of the last request that used the terminal
PREVIOUS_SIGNIN = "mamori.previous_signin"  # shown in the header: time, address, terminal
RECOVERY_CODES = "mamori.recovery_codes"  # shown once after enrolment, then dropped

VERIFY, ENROL = "verify", "enrol"

# Set on the request the idle timeout signs out, for the sign-out's record to tell.
IDLE_LOGOUT = "mamori_idle_logout"


def idle_timeout() -> int:
    return max(int(settings.MAMORI_IDLE_TIMEOUT), 1)


def idle_warning() -> int:
    return max(min(int(settings.MAMORI_IDLE_WARNING), idle_timeout() - 1), 0)


def touch_interval() -> int:
    """How stale the recorded activity may get before it is written again (one write per page
    would cost a query on every page; the error is at most 1/30 of the timeout)."""
    return max(1, min(30, idle_timeout() // 30))


def activity_touch(request: HttpRequest, *, force: bool = False) -> None:
    """Record that the terminal was used now."""
    now = time.time()
    last = request.session.get(LAST_ACTIVITY)
    if force or last is None or now - float(last) >= touch_interval():
        request.session[LAST_ACTIVITY] = now


def idle_seconds_left(request: HttpRequest) -> float:
    """Seconds before the session ends for want of activity (the full timeout if never used)."""
    return idle_seconds_left_for(request.session)


def idle_seconds_left_for(session) -> float:
    """``idle_seconds_left`` for a session object."""
    last = session.get(LAST_ACTIVITY)
    if last is None:
        return float(idle_timeout())
    try:
        return idle_timeout() - (time.time() - float(last))
    except (TypeError, ValueError):
        return 0.0
