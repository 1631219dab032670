from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.schema import ServedSchema
from tests.api.world import ApiWorld, build_api_world


@pytest.fixture
def world(branch, other_branch) -> ApiWorld:
    """Two branches' cases and API clients, each with its token and scopes."""
    return build_api_world(branch, other_branch)


@pytest.fixture
def http(live_server) -> Iterator[httpx.Client]:
    """A real HTTP client to the live server."""
    with httpx.Client(base_url=live_server.url, timeout=20) as client:
        yield client


@pytest.fixture
def schema(http) -> ServedSchema:
    """The OpenAPI 3 document the app serves, to check answers against."""
    response = http.get("/api/v1/schema/", params={"format": "json"})
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    return ServedSchema(document)


@pytest.fixture(autouse=True)
def _changes_settle_at_once(settings):
    # The changes list waits for writes to settle; the tests read what they just wrote.
    settings.MAMORI_API_CHANGES_SETTLE_SECONDS = 0
