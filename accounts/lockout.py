"""The lockout's rule: one account from one address (a *pair*) waits; nobody else does.

django-axes keeps the failures (``AccessAttempt`` rows), adds them up per account *and* address
(``AXES_LOCKOUT_PARAMETERS``) and forgets a pair's failures ``AXES_COOLOFF_TIME`` after its last
one. Failures for one account from other addresses, and failures for other accounts from the same
address (a branch behind one NAT address, the monitoring center), never count for the pair.

When a pair is locked (``MAMORI_LOGIN_FAILURE_LIMIT`` 5, ``MAMORI_LOCKOUT_MINUTES`` 1,
``MAMORI_LOCKOUT_MAX_MINUTES`` 30):

- below 5 failures, never;
- the 5th failure makes it wait 1 minute;
- once a wait is over the pair may try again, and each further failure makes it wait twice as long
  as the last time: 2, 4, 8, 16 minutes, then 30 each time;
- the wait lifts by itself; a complete sign-in of the pair (after the second factor), an
  administrator (アクセス試行 in the admin), or a quiet ``MAMORI_LOCKOUT_MEMORY_HOURS`` clear it.

axes asks through ``AXES_FAILURE_LIMIT`` (``failure_limit``), which it calls with the request and
the credentials, so with the pair. ``AXES_COOLOFF_TIME`` stays one fixed span: axes 8.3.1 calls a
callable cool-off with the request alone (the one-time password step's account is in the
credentials, not in the form), and it uses that one value both as the window that counts a pair's
failures and as the threshold below which it deletes *every* pair's rows — a per-pair cool-off
would let one pair's short wait erase another pair's failures, and its own history with them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from axes.attempts import get_cool_off_threshold
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest


def limit() -> int:
    """Failures of a pair before its first wait."""
    return max(int(settings.MAMORI_LOGIN_FAILURE_LIMIT), 1)


def wait_for(lockout: int) -> timedelta:
    """The wait of a pair's ``lockout``-th lockout (1, 2, 3 …): the first wait, doubled each
    time, at most ``MAMORI_LOCKOUT_MAX_MINUTES``."""
    first = max(int(settings.MAMORI_LOCKOUT_MINUTES), 1)
    most = max(int(settings.MAMORI_LOCKOUT_MAX_MINUTES), first)
    return timedelta(minutes=min(first * 2 ** min(max(lockout, 1) - 1, 30), most))


@dataclass(frozen=True)
class Pair:
    """What axes remembers of one account from one address."""

    failures: int
    last_failure: datetime | None

    @property
    def lockouts(self) -> int:
        """How many times the pair has been made to wait (the 5th failure is the first)."""
        return max(self.failures - limit() + 1, 0)

    @property
    def locked_until(self) -> datetime | None:
        """The end of the wait its last failure gave it (None below the limit)."""
        if not self.lockouts or self.last_failure is None:
            return None
        return self.last_failure + wait_for(self.lockouts)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


class AxesRequest(HttpRequest):
    """A request axes has read (``AxesProxyHandler.update_request``). For annotations only."""

    axes_ip_address: str | None
    axes_attempt_time: datetime


def read_by_axes(request: HttpRequest) -> AxesRequest:
    """``request`` with axes' address and time of the attempt (set once, by axes, if not yet)."""
    AxesProxyHandler.update_request(request)
    return cast(AxesRequest, request)


def pair_of(request: HttpRequest, credentials: dict | None = None) -> Pair:
    """The pair of an attempt: its account (as axes reads it) and the client's address, counted
    as axes counts them (the failures since ``AXES_COOLOFF_TIME`` before the attempt)."""
    attempt = read_by_axes(request)
    found = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=attempt.axes_ip_address,
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return Pair(failures=found["failures"] or 0, last_failure=found["last"])


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """``AXES_FAILURE_LIMIT``: axes locks the pair when its failures reach this number.

    Below the limit, the limit. While the pair waits, its own count (it stays locked). Once the
    wait is over, one more than its count: the next failure locks it again, for twice as long.
    """
    pair = pair_of(request, credentials)
    if pair.locked_until is None or pair.is_locked(read_by_axes(request).axes_attempt_time):
        return limit()
    return pair.failures + 1


def seconds_left(request: HttpRequest, credentials: dict | None = None) -> int:
    """How long the pair of this attempt still waits, in whole seconds (0: not waiting)."""
    pair = pair_of(request, credentials)
    now = read_by_axes(request).axes_attempt_time
    if pair.locked_until is None or not pair.is_locked(now):
        return 0
    return math.ceil((pair.locked_until - now).total_seconds())


def forget(*, username: str, ip_address: str | None) -> int:
    """Clear one pair's failures (its member of staff signed in from there): the account's other
    addresses, and the address's other accounts, keep theirs."""
    return AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()[0]
