"""Calls per client and minute, counted in the API's cache (Redis where configured)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiClient

logger = logging.getLogger(__name__)

# Where a process counts while the shared counter (Redis) cannot be reached: the monitoring
# center's calls must not fail because a rate limit cannot be counted (each process then keeps
# its own budget per client until Redis is back).
LOCAL_COUNTS = LocMemCache("api-throttle-local", {})


class ClientRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle keyed by the API client (not the address: systems sit behind proxies)."""

    scope = "client"

    def __init__(self) -> None:
        # Shared by every process (Redis), so gunicorn's workers count one budget per client.
        self.cache = caches["api"]
        super().__init__()

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("API throttle: shared counter unreachable (%s), counting locally", error)
            self.cache = LOCAL_COUNTS
            return super().allow_request(request, view)

    def get_rate(self) -> str:
        # Read when the throttle is made, not when DRF was imported: the setting can change.
        return settings.MAMORI_API_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None  # refused by authentication anyway
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


# A refused call of a known client (revoked, deactivated) goes on the access log once a minute at
# most: an auditor sees that it still calls, and a leaked revoked token cannot flood the log (DRF
# throttles only calls that authenticated).
REFUSED_LOG_SECONDS = 60


def refused_call_logged(client: ApiClient) -> bool:
    """Whether this refused call of ``client`` is the first of its minute (then it is logged)."""
    key = f"api_refused_{client.pk}"
    try:
        return bool(caches["api"].add(key, 1, timeout=REFUSED_LOG_SECONDS))
    except (RedisError, OSError):
        return bool(LOCAL_COUNTS.add(key, 1, timeout=REFUSED_LOG_SECONDS))
