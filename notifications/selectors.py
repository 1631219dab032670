"""Reads of notices: the bell's count and the recipient's list."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification


def notification_unread_count(*, user) -> int:
    """How many notices the user has not read (the bell's badge)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notices, newest first."""
    notices = Notification.objects.filter(recipient=user)
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    return notices.order_by("-created_at", "-pk")
