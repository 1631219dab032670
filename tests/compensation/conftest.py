"""Fixtures for the compensation tests: the default policy, a second branch's supervisor."""

from __future__ import annotations

import pytest

from compensation import services
from tests import factories


@pytest.fixture(autouse=True)
def default_policy(db):
    """The policy the data migration seeds (a flushed transactional test may have removed it)."""
    return services.policy_version_default_ensure()


@pytest.fixture
def third_supervisor(branch):
    return factories.staff("supervisor3", "supervisor", branch)


@pytest.fixture
def foreign_supervisor(other_branch):
    return factories.staff("supervisor_b", "supervisor", other_branch)
