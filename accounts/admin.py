"""The sign-in log (read-only) in the admin; authenticator secrets are never shown there."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent

# django-otp's own device admins show the secret keys: an administrator resets a member of
# staff's devices from the staff list instead (職員 → ワンタイムパスワードを再設定).
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """Sign-ins, failures, lockouts and sign-outs; nobody edits or deletes them."""

    list_display = ("at", "kind", "username", "user", "ip_address", "terminal", "second_factor")
    list_filter = ("kind", "second_factor")
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
