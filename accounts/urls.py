"""Sign-in URLs beside /login/ and /logout/."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/otp/", views.otp_verify, name="otp_verify"),
    path("account/otp/setup/", views.otp_setup, name="otp_setup"),
    path("account/otp/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("session/keepalive/", views.keepalive, name="keepalive"),
    path("session/status/", views.session_status, name="session_status"),
]
