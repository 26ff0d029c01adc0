"""Fixtures of the folder tests (shared ones live in tests/django_fixtures.py)."""

from collections.abc import Iterator

import pytest
from pytest_django import Settings

from tests.django_fixtures import bucket, local_storage, own_storage  # noqa: F401
from tests.stoppable_s3 import StoppableS3


@pytest.fixture
def stoppable_storage(settings: Settings) -> Iterator[StoppableS3]:
    with own_storage(settings, bucket="playground-folder-tests", prefix="folders") as s3:
        yield s3
