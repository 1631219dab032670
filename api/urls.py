"""/api/v1/: the endpoints and the OpenAPI 3 schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.views.assess import AssessView
from api.views.cases import CaseChangesView, CaseDetailView
from api.views.preliminary import PreliminaryCaseView
from api.views.stops import StopConfirmView, StopRefuseView

app_name = "api"

urlpatterns = [
    path("preliminary-cases/", PreliminaryCaseView.as_view(), name="preliminary_cases"),
    path("cases/changes/", CaseChangesView.as_view(), name="case_changes"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
    path("assess/", AssessView.as_view(), name="assess"),
    # The core's answer to a stop request, under the request's idempotency key (a string here:
    # a malformed key is a JSON 404 from the view, not the resolver's page).
    path("stops/<str:key>/confirm", StopConfirmView.as_view(), name="stop_confirm"),
    path("stops/<str:key>/refuse", StopRefuseView.as_view(), name="stop_refuse"),
    # The schema is public (it describes, it holds no data); JSON or YAML by ?format=.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
]
