"""Fixtures of the permission matrix."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The branch staff pick lists are cached per process; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
