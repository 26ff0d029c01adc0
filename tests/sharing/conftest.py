"""Fixtures of the sharing tests (shared ones live in tests/django_fixtures.py)."""

from tests.django_fixtures import bucket, fresh_cache  # noqa: F401
from tests.service.conftest import fake_dist  # noqa: F401
