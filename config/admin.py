"""The admin site: administrators sign in at the staff login, never at a second, weaker form."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _


class MamoriAdminSite(admin.AdminSite):
    """The admin site without its own login form (which would skip the lockout and the
    one-time password): /admin/login/ sends the administrator to the staff login."""

    site_header = _("守り システム管理")
    site_title = _("守り システム管理")
    index_title = _("システム管理")

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return redirect_to_login(request.GET.get("next") or request.path.rsplit("login/", 1)[0])
