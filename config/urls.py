"""URL configuration."""

from django.contrib import admin
from django.urls import include, path

from accounts.http import second_factor_exempt
from accounts.language import set_language
from accounts.views import StaffLoginView, StaffLogoutView
from config import health

handler400 = "accounts.errors.bad_request"
handler403 = "accounts.errors.permission_denied"
handler404 = "accounts.errors.page_not_found"
handler500 = "accounts.errors.server_error"

urlpatterns = [
    path(health.PATH, health.healthz, name="healthz"),
    path("login/", second_factor_exempt(StaffLoginView.as_view()), name="login"),
    path("logout/", second_factor_exempt(StaffLogoutView.as_view()), name="logout"),
    path("i18n/setlang/", second_factor_exempt(set_language), name="set_language"),
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("cases/<int:pk>/compensation/", include("compensation.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("compensation.reports.urls")),
    path("freezes/", include("compensation.freezes.urls")),
    path("", include("incidents.urls")),
]
