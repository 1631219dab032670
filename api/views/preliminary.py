"""POST /api/v1/preliminary-cases/: an after-hours call opens a preliminary case with its stops."""

from __future__ import annotations

import re
import uuid

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.forms_bridge import call_validate
from api.models import ApiClient
from api.permissions import HasScope
from api.scopes import Scope
from api.selectors import api_preliminary_document, client_sees_branch
from api.serializers import ErrorOut, PreliminaryCaseIn, PreliminaryCaseOut
from api.services import api_access_record
from incidents.cases import services
from incidents.models import Branch, Case

# Printable ASCII, as HTTP headers carry it; long enough for a UUID or a call-center call id.
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,200}")
# Keys are turned into the case's intake token, per client: two clients' equal keys never meet.
IDEMPOTENCY_NAMESPACE = uuid.UUID("7b1f0c3e-4a52-4d7e-9a1c-6d2f3b8e5a10")


def intake_token(client: ApiClient, key: str) -> uuid.UUID:
    """The case's intake token for the client's Idempotency-Key (the form's resend guard)."""
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{client.pk}:{key}")


class PreliminaryCaseView(APIView):
    """Open a preliminary case (仮受付) from the monitoring center's telephone system."""

    scope = Scope.PRELIMINARY
    permission_classes = [HasScope]

    @extend_schema(
        operation_id="preliminary_case_create",
        request=PreliminaryCaseIn,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="The same key again returns the same case and creates nothing.",
            )
        ],
        responses={
            201: PreliminaryCaseOut,
            200: OpenApiResponse(
                PreliminaryCaseOut, description="the case this key already opened"
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="errors per field"),
            401: ErrorOut,
            403: ErrorOut,
            429: ErrorOut,
        },
    )
    def post(self, request: Request) -> Response:
        client: ApiClient = request.auth  # type: ignore[assignment]
        key = request.headers.get("Idempotency-Key", "")
        if not IDEMPOTENCY_KEY_RE.fullmatch(key):
            return Response(
                {
                    "idempotency_key": [
                        _("Idempotency-Key ヘッダー（200文字以内の英数字・記号）が必要です。")
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        token = intake_token(client, key)
        existing = Case.objects.filter(intake_token=token).values_list("pk", flat=True).first()
        if existing is not None:
            return self._answer(request, existing, status.HTTP_200_OK)
        if not client.user.has_perm("incidents.take_after_hours_call"):
            return Response({"detail": HasScope.message}, status=status.HTTP_403_FORBIDDEN)
        shape = PreliminaryCaseIn(data=request.data)
        shape.is_valid(raise_exception=True)
        call, errors = call_validate(dict(shape.validated_data))
        if call is None:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        branch = Branch.objects.filter(code=call.branch_code).first()
        if branch is None or not client_sees_branch(client, branch.pk):
            return Response(
                {"detail": _("この支店の事故を登録する権限がありません。")},
                status=status.HTTP_403_FORBIDDEN,
            )
        # The same key sent twice at once lands on the one case (the service's token).
        case, created = services.case_open_preliminary(
            user=client.user,
            token=token,
            fields=call.fields,
            items=call.items,
            stop=call.stop_now,
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self._answer(request, case.pk, code)

    def _answer(self, request: Request, pk: int, code: int) -> Response:
        document = api_preliminary_document(pk=pk)
        api_access_record(request=request, cases=[Case(pk=pk)], view="api:preliminary")
        response = Response(PreliminaryCaseOut(document).data, status=code)
        response["Location"] = f"/api/v1/cases/{pk}/"
        return response
