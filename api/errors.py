"""Every refusal as JSON in the bank's words; never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (``detail``, or one list of messages per field), with the parser's English
    replaced, and a defect answered as JSON with no detail of it."""
    if isinstance(exc, exceptions.ParseError | RecursionError):
        exc = exceptions.ParseError(_("リクエストの本文をJSONとして読み取れません。"))
    response = exception_handler(exc, context)
    if response is not None:
        return response
    # Not an API error: a defect. The request's transaction is rolled back by ATOMIC_REQUESTS.
    logger.exception("API defect in %s", context.get("view"), exc_info=exc)
    return Response(
        {"detail": _("システムエラーが発生しました。時間をおいて再度お試しください。")},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
