from __future__ import annotations

import pytest

from tests.api.world import ApiWorld, build_api_world


@pytest.fixture
def api_world(branch, other_branch) -> ApiWorld:
    return build_api_world(branch, other_branch)


@pytest.fixture(autouse=True)
def _changes_settle_at_once(settings):
    # The changes list waits for writes to settle; the tests read what they just wrote.
    settings.MAMORI_API_CHANGES_SETTLE_SECONDS = 0
