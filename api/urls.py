"""/api/v1/: the endpoints and the OpenAPI 3 schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from accounts.http import json_endpoint
from api.views.assess import AssessView
from api.views.cases import CaseChangesView, CaseDetailView
from api.views.preliminary import PreliminaryCaseView
from api.views.stops import StopConfirmView, StopRefuseView

app_name = "api"

# Marked as JSON endpoints so that what Django refuses before a view runs (a body it cannot
# parse, a size over the limit) is answered in JSON too, never the staff pages' HTML.

urlpatterns = [
    path(
        "preliminary-cases/", json_endpoint(PreliminaryCaseView.as_view()), name="preliminary_cases"
    ),
    path("cases/changes/", json_endpoint(CaseChangesView.as_view()), name="case_changes"),
    path("cases/<int:pk>/", json_endpoint(CaseDetailView.as_view()), name="case_detail"),
    path("assess/", json_endpoint(AssessView.as_view()), name="assess"),
    # The core's answer to a stop request, under the request's idempotency key (a string here:
    # a malformed key is a JSON 404 from the view, not the resolver's page).
    path("stops/<str:key>/confirm", json_endpoint(StopConfirmView.as_view()), name="stop_confirm"),
    path("stops/<str:key>/refuse", json_endpoint(StopRefuseView.as_view()), name="stop_refuse"),
    # The schema is public (it describes, it holds no data); JSON or YAML by ?format=.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
]
