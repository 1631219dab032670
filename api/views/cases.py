"""GET /api/v1/cases/{id}/ and /api/v1/cases/changes/: a case's state, and what changed."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiClient
from api.permissions import HasScope
from api.scopes import Scope
from api.selectors import Cursor, CursorError, api_case_document, api_case_get, case_changes
from api.serializers import CaseOut, ChangesOut, ChangesQuery, ErrorOut
from api.services import api_access_record


class CaseDetailView(APIView):
    """A case's status, stops, deadlines and assessment, read as the case page reads them."""

    scope = Scope.CASES
    permission_classes = [HasScope]

    @extend_schema(
        operation_id="case_retrieve",
        responses={200: CaseOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    )
    def get(self, request: Request, pk: int) -> Response:
        client: ApiClient = request.auth  # type: ignore[assignment]
        case = api_case_get(client=client, pk=pk)
        api_access_record(request=request, cases=[case], view="api:case")
        return Response(CaseOut(api_case_document(case)).data)


class CaseChangesView(APIView):
    """Cases changed since a cursor, oldest change first, a page at a time."""

    scope = Scope.CASES
    permission_classes = [HasScope]

    @extend_schema(
        operation_id="case_changes",
        parameters=[ChangesQuery],
        responses={
            200: ChangesOut,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="errors per field"),
            401: ErrorOut,
            403: ErrorOut,
            429: ErrorOut,
        },
    )
    def get(self, request: Request) -> Response:
        client: ApiClient = request.auth  # type: ignore[assignment]
        query = ChangesQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        cursor = None
        if query.validated_data.get("cursor"):
            try:
                cursor = Cursor.decode(query.validated_data["cursor"])
            except CursorError:
                return Response(
                    {
                        "cursor": [
                            _(
                                "このカーソルは使えません。前回の応答の next_cursor を送ってください。"
                            )
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
        page = case_changes(client=client, cursor=cursor, limit=query.validated_data["limit"])
        api_access_record(request=request, cases=page.cases, view="api:changes")
        return Response(ChangesOut(page).data)
