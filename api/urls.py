"""/api/v1/: the endpoints and the OpenAPI 3 schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.views.assess import AssessView
from api.views.cases import CaseChangesView, CaseDetailView
from api.views.preliminary import PreliminaryCaseView

app_name = "api"

urlpatterns = [
    path("preliminary-cases/", PreliminaryCaseView.as_view(), name="preliminary_cases"),
    path("cases/changes/", CaseChangesView.as_view(), name="case_changes"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
    path("assess/", AssessView.as_view(), name="assess"),
    # The schema is public (it describes, it holds no data); JSON or YAML by ?format=.
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
]
