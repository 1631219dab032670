"""Fuzzing the webhooks' admin (hypothesis): the administrator's endpoint form and the delivery
log's filters take any value without a server error, and an endpoint is saved only when valid."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from webhooks.admin import WebhookEndpointForm
from webhooks.models import WebhookEndpoint

from .strategies import QUERIES, VALUES

pytestmark = pytest.mark.django_db

ENDPOINT_FIELDS = ("name", "url", "secret", "event_types", "active")
GOOD = {
    "name": "core",
    "url": "https://core.bank.example/hooks",
    "secret": "x" * 64,
    "event_types": ["case.submitted"],
    "active": "on",
}


@pytest.fixture
def admin_client(db):
    admin = factories.staff("fuzz_admin", "admin", None)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(st.sampled_from(ENDPOINT_FIELDS), VALUES, max_size=5),
    query=QUERIES,
)
def test_the_endpoint_form_and_the_delivery_log_take_any_input_without_a_server_error(
    admin_client, changes, query
):
    data = {**GOOD, **changes}
    with transaction.atomic():
        before = WebhookEndpoint.objects.count()
        response = admin_client.post(reverse("admin:webhooks_webhookendpoint_add"), data)
        assert response.status_code < 500
        saved = WebhookEndpoint.objects.count() - before
        # The form as the view sees the post (a QueryDict parsed from the same encoding).
        posted = RequestFactory().post("/", data).POST
        valid = WebhookEndpointForm(data=posted).is_valid()
        assert saved == (1 if valid else 0)
        if saved:
            assert WebhookEndpoint.objects.latest("pk").url.startswith(("http://", "https://"))
        transaction.set_rollback(True)
    for name in ("webhookdelivery", "webhookevent", "webhookendpoint"):
        listed = admin_client.get(reverse(f"admin:webhooks_{name}_changelist"), query)
        assert listed.status_code < 500
