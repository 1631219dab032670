"""Calls per client and minute, counted in the API's cache (Redis where configured)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    """DRF's rate throttle keyed by the API client (not the address: systems sit behind proxies)."""

    scope = "client"

    def __init__(self) -> None:
        # Shared by every process (Redis), so gunicorn's workers count one budget per client.
        self.cache = caches["api"]
        super().__init__()

    def get_rate(self) -> str:
        # Read when the throttle is made, not when DRF was imported: the setting can change.
        return settings.MAMORI_API_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None  # refused by authentication anyway
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
