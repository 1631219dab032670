"""Freeze case URLs, under /freezes/."""

from django.urls import path

from compensation.freezes import views

app_name = "freezes"

urlpatterns = [
    path("", views.freeze_list, name="list"),
    path("open/<path:key>", views.freeze_open, name="open"),
    path("<int:pk>/", views.freeze_detail, name="detail"),
    path("<int:pk>/core/", views.freeze_core, name="core"),
    path("<int:pk>/notice/", views.freeze_notice, name="notice"),
    path("<int:pk>/applications/open/", views.freeze_applications_open, name="applications_open"),
    path("<int:pk>/applications/", views.application_new, name="application_new"),
    path(
        "<int:pk>/applications/<int:application_pk>/decide/",
        views.application_decide,
        name="application_decide",
    ),
    path(
        "<int:pk>/applications/<int:application_pk>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("<int:pk>/distribution/", views.distribution_submit, name="distribution_submit"),
    path(
        "<int:pk>/distribution/<int:decision_pk>/review/",
        views.distribution_review,
        name="distribution_review",
    ),
    path(
        "<int:pk>/distribution/<int:decision_pk>/table/",
        views.decision_table,
        name="decision_table",
    ),
]
