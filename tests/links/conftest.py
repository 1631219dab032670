"""Fixtures of the reports tests: the default policy, a compliance officer, a third supervisor."""

from __future__ import annotations

import pytest

from compensation import services
from tests import factories


@pytest.fixture(autouse=True)
def default_policy(db):
    return services.policy_version_default_ensure()


@pytest.fixture
def approver(branch):
    """A supervisor who approves what another prepared (four eyes)."""
    return factories.staff("approver", "supervisor", branch)


@pytest.fixture
def other_branch_supervisor(other_branch):
    return factories.staff("supervisor_b", "supervisor", other_branch)
