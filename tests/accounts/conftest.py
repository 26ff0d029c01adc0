"""Fixtures of the accounts tests: every test counts allauth's rate limits from zero."""

import pytest

from tests.django_fixtures import fresh_cache  # noqa: F401
from tests.service.conftest import fake_dist  # noqa: F401


@pytest.fixture(autouse=True)
def _own_rate_limit_counts(fresh_cache: str) -> None:  # noqa: F811
    """Log-ins from 127.0.0.1 in other tests must not count against this one."""
