"""What every page needs of signing in (read from the session: no query)."""

from django.conf import settings
from django.http import HttpRequest

from accounts import state
from accounts.views import previous_sign_in


def security(request: HttpRequest) -> dict:
    """The previous sign-in for the header, and the idle timer's settings for its script."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "MAMORI_REQUIRE_OTP": settings.MAMORI_REQUIRE_OTP,
        "IDLE_TIMEOUT": state.idle_timeout(),
        "IDLE_WARNING": state.idle_warning(),
        "previous_signin": previous_sign_in(request) if signed_in else None,
        "second_factor_pending": bool(signed_in and request.session.get(state.PENDING)),
    }
