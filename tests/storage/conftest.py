"""Fixtures of the storage tests (shared ones live in tests/django_fixtures.py).

``stoppable_storage`` points the ``notebooks`` storage at a moto S3 server of the
test's own (tests/stoppable_s3.py) that the test can really stop, with quick
failures; ``local_storage`` points it at a folder, as ``make run`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from pytest_django import Settings

from tests.django_fixtures import bucket, own_storage  # noqa: F401
from tests.stoppable_s3 import StoppableS3

BUCKET = "playground-storage-tests"
PREFIX = "blobs"


@pytest.fixture
def stoppable_storage(settings: Settings) -> Iterator[StoppableS3]:
    with own_storage(settings, bucket=BUCKET, prefix=PREFIX) as s3:
        yield s3


@pytest.fixture
def local_storage(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    settings.STORAGES = {
        **settings.STORAGES,
        "notebooks": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    caches["revisions"].clear()
    yield tmp_path
    caches["revisions"].clear()
