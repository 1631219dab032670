"""Fixtures of the webhook tests: a real receiver on loopback and an endpoint posting to it."""

from __future__ import annotations

import pytest

from webhooks.choices import EventType
from webhooks.models import WebhookEndpoint

from .receiver import Receiver


@pytest.fixture
def receiver():
    server = Receiver(secret="s3cret-for-the-test-receiver")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(
        name="core", url=receiver.url, secret=receiver.secret, event_types=list(EventType.values)
    )
