"""The bell's unread count for the header, counted only when a page shows it."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import notification_unread_count


def bell(request: HttpRequest) -> dict:
    """``notification_unread_count`` for the signed-in user (one query, when used)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    preloaded = getattr(user, "unread_notification_count", None)
    if preloaded is not None:
        # Read with the user when the session was resolved (incidents.access.auth.StaffBackend).
        return {"notification_unread_count": preloaded}
    return {
        "notification_unread_count": SimpleLazyObject(lambda: notification_unread_count(user=user))
    }
