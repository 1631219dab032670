"""Report URLs, under /reports/: the industry statistics (page and CSV) and the dashboard."""

from django.urls import path

from compensation.reports import views as views_reports

app_name = "reports"

urlpatterns = [
    path("dashboard/", views_reports.dashboard, name="dashboard"),
    path("statistics/", views_reports.statistics, name="statistics"),
    path("statistics.csv", views_reports.statistics_csv, name="statistics_csv"),
]
