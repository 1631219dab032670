"""Compensation URLs, under /cases/<pk>/compensation/."""

from django.urls import path

from compensation import views

app_name = "compensation"

urlpatterns = [
    path("findings/", views.findings, name="findings"),
    path("submit/", views.submit, name="submit"),
    path("review/", views.review, name="review"),
    path("paid/", views.paid, name="paid"),
    path("decisions/<int:decision_pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:decision_pk>/facts.json", views.decision_facts, name="decision_facts"),
    path("decisions/<int:decision_pk>/letter/", views.letter, name="letter"),
]
