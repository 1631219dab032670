"""Case desk URLs."""

from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/intake/<slug:step>/", views.intake_step, name="intake_step"),
    path("cases/<int:pk>/submit/", views.case_submit_view, name="case_submit"),
    path("cases/<int:pk>/discard/", views.case_discard, name="case_discard"),
    path("cases/<int:pk>/receipt/", views.case_receipt, name="case_receipt"),
    path("cases/<int:pk>/police/", views.case_record_police, name="case_record_police"),
    path(
        "cases/<int:pk>/deadlines/<int:deadline_pk>/meet/",
        views.deadline_meet_view,
        name="deadline_meet",
    ),
]
