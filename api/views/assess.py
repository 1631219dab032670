"""POST /api/v1/assess/: the assess_compensation command's contract over HTTP (the same engine,
the same problems, docs/assessment-contract.md)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasScope
from api.scopes import Scope
from api.serializers import ErrorOut
from compensation.management.commands.assess_compensation import BadInput, assess_json


class RawJSONParser(BaseParser):
    """The body's bytes, decoded by the command's own reader (duplicate keys, NaN refused)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:  # type: ignore[override]
        return stream.read() if stream is not None else b""


class AssessView(APIView):
    """Assess one case's facts; touches no case."""

    scope = Scope.ASSESS
    permission_classes = [HasScope]
    parser_classes = [RawJSONParser]

    @extend_schema(
        operation_id="assess",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="the assessment (contract §5)"),
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='{"problems": [...]}: one entry per problem, as the command prints them',
            ),
            401: ErrorOut,
            403: ErrorOut,
            429: ErrorOut,
        },
    )
    def post(self, request: Request) -> HttpResponse | Response:
        try:
            # An empty body reaches no parser; the command reads it as not JSON.
            raw = request.data if isinstance(request.data, bytes) else b""
            text = assess_json(raw)
        except BadInput as exc:
            return Response({"problems": exc.problems}, status=status.HTTP_400_BAD_REQUEST)
        # The command's own output, byte for byte.
        return HttpResponse(text, content_type="application/json; charset=utf-8")
