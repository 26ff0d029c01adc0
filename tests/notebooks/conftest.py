"""Fixtures of the notebooks tests (shared ones live in tests/django_fixtures.py)."""

from tests.django_fixtures import bucket, fresh_cache, fresh_channel_layer  # noqa: F401
from tests.service.conftest import fake_dist, usercontent  # noqa: F401
