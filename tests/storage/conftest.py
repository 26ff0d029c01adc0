"""Fixtures of the storage tests (shared ones live in tests/django_fixtures.py).

``stoppable_storage`` points the ``notebooks`` storage at a moto S3 server of the
test's own (tests/stoppable_s3.py) that the test can really stop, with quick
failures; ``local_storage`` points it at a folder, as ``make run`` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import Settings

from tests.django_fixtures import bucket, local_storage, own_storage  # noqa: F401
from tests.stoppable_s3 import StoppableS3

BUCKET = "playground-storage-tests"
PREFIX = "blobs"


@pytest.fixture
def stoppable_storage(settings: Settings) -> Iterator[StoppableS3]:
    with own_storage(settings, bucket=BUCKET, prefix=PREFIX) as s3:
        yield s3


