"""URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from incidents.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("cases/<int:pk>/compensation/", include("compensation.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("compensation.urls_reports")),
    path("", include("incidents.urls")),
]
