"""Server time of each request, measured around the whole middleware stack (bench only)."""

from __future__ import annotations

import time


class ServerTimingMiddleware:
    """Put the time spent inside Django in the X-Server-Time header (seconds)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Server-Time"] = f"{time.perf_counter() - started:.6f}"
        return response
