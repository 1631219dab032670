"""POST /api/v1/stops/{key}/confirm and /refuse: the core answers a request by calling back
(a stop, a victim's freeze request or a freeze case: the outbox hands the answer to its owner)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api.models import ApiClient
from api.permissions import HasScope
from api.scopes import Scope
from api.selectors import StopOutOfReach, api_stop_case, api_stop_document
from api.serializers import ErrorOut, StopAnswerOut, StopConfirmIn, StopRefuseIn
from api.services import api_access_record
from incidents.audit.refusals import REFUSED_CASE_ATTRIBUTE
from incidents.cases import services
from incidents.models import Case
from incidents.models.choices import CoreRequestState


def _responses(what: str) -> dict[int, Any]:
    return {
        200: OpenApiResponse(StopAnswerOut, description=f"{what} recorded (or already was)"),
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="errors per field"),
        401: ErrorOut,
        403: ErrorOut,
        404: OpenApiResponse(ErrorOut, description="no such request for this client"),
        409: OpenApiResponse(ErrorOut, description="the request already had the other answer"),
        429: ErrorOut,
    }


def conflict_message(recorded: str) -> str:
    """The 409's words: which answer the request already has."""
    if recorded == CoreRequestState.CONFIRMED:
        return _("この停止依頼は確認済みとして記録されています。拒否には変更できません。")
    return _("この停止依頼は拒否として記録されています。確認には変更できません。")


class _StopAnswerView(APIView):
    scope = Scope.STOPS
    permission_classes = [HasScope]
    shape: type[Serializer]
    view_name: str

    def answer(self, key: str, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, key: str) -> Response:
        client: ApiClient = request.auth  # type: ignore[assignment]
        try:
            case_id = api_stop_case(client=client, key=key)
        except StopOutOfReach as refused:
            # The refused-access log records the case (its URL names a key, not the case).
            setattr(request._request, REFUSED_CASE_ATTRIBUTE, refused.case_id)
            raise Http404 from None
        # Every call that reached a case is logged with its case, whatever its answer.
        api_access_record(
            request=request,
            cases=[Case(pk=case_id)] if case_id is not None else [],
            view=self.view_name,
        )
        shape = self.shape(data=request.data)
        if not shape.is_valid():
            return Response(shape.errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            with transaction.atomic():
                self.answer(key, dict(shape.validated_data))
        except services.CoreAnswerConflict as conflict:
            return Response(
                {"detail": conflict_message(conflict.recorded)}, status=status.HTTP_409_CONFLICT
            )
        except services.CoreRequestNotFound:
            raise Http404 from None
        return Response(StopAnswerOut(api_stop_document(key=key)).data)


class StopConfirmView(_StopAnswerView):
    """The core confirms a stop it accepted: the stop is done with the core's reference."""

    shape = StopConfirmIn
    view_name = "api:stop_confirm"

    @extend_schema(
        operation_id="stop_confirm", request=StopConfirmIn, responses=_responses("confirmation")
    )
    def post(self, request: Request, key: str) -> Response:
        return super().post(request, key)

    def answer(self, key: str, data: dict[str, Any]) -> None:
        services.core_request_confirm(
            request_key=key, reference=data["reference"], confirmed_at=data.get("confirmed_at")
        )


class StopRefuseView(_StopAnswerView):
    """The core refuses a stop: the stop failed, its reason shown to the teller."""

    shape = StopRefuseIn
    view_name = "api:stop_refuse"

    @extend_schema(
        operation_id="stop_refuse", request=StopRefuseIn, responses=_responses("refusal")
    )
    def post(self, request: Request, key: str) -> Response:
        return super().post(request, key)

    def answer(self, key: str, data: dict[str, Any]) -> None:
        services.core_request_refuse(
            request_key=key, code=data["code"], reason=data.get("reason", "")
        )
