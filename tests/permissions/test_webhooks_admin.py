"""The webhooks' admin pages in the permission matrix: the administrator only, every other role
sent to the admin's sign-in, and nothing written by looking."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.webhooks.conftest import endpoint, receiver
from webhooks.models import WebhookDelivery, WebhookEvent

from .matrix import ADMIN, ANONYMOUS, ROLES
from .test_matrix import attempt, build_world

__all__ = ["endpoint", "receiver"]  # fixtures used below

pytestmark = pytest.mark.django_db


def test_the_webhook_admin_pages_are_for_the_administrator_only(branch, other_branch, endpoint):
    world = build_world(branch, other_branch)  # its cases' stops and submissions wrote events
    event = WebhookEvent.objects.first()
    delivery = WebhookDelivery.objects.first()
    assert event is not None and delivery is not None
    urls = [
        reverse("admin:webhooks_webhookendpoint_changelist"),
        reverse("admin:webhooks_webhookendpoint_add"),
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        reverse("admin:webhooks_webhookdelivery_changelist") + "?state__exact=pending",
        reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk]),
        reverse("admin:webhooks_webhookevent_changelist"),
        reverse("admin:webhooks_webhookevent_change", args=[event.pk]),
    ]
    problems = []
    for url in urls:
        for role in ROLES:
            response, changed = attempt(world, role, "get", url, {})
            expected = 200 if role == ADMIN else 302
            if response.status_code != expected or changed:
                problems.append(f"{role} {url}: {response.status_code}, changed={changed}")
            if role != ADMIN and "/admin/login/" not in response.get("Location", ""):
                problems.append(f"{role} {url}: not sent to the admin's sign-in")
    assert problems == []


def test_a_role_other_than_the_administrator_cannot_redeliver(branch, other_branch, endpoint):
    world = build_world(branch, other_branch)
    delivery = WebhookDelivery.objects.first()
    assert delivery is not None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="delivered", next_attempt_at=None)
    url = reverse("admin:webhooks_webhookdelivery_changelist")
    for role in ROLES:
        if role == ADMIN:
            continue
        client = Client()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        response = client.post(url, {"action": "redeliver", "_selected_action": [delivery.pk]})
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
        delivery.refresh_from_db()
        assert delivery.state == "delivered", role
