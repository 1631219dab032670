"""Every call of a client on the access log, written in one place once the call is answered."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from api.services import api_call_record

logger = logging.getLogger(__name__)


class ApiCallLogMiddleware:
    """After the response (and after the call's transaction, committed or rolled back): the
    client's call is written to the access log, whatever its answer (200, 400, 403, 404, 429…)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            api_call_record(request=request, status=response.status_code)
        except DatabaseError:
            # The answer stands; a log that cannot be written is an alert, not a 500.
            logger.exception("could not log the API call to %s", request.path)
        return response
