"""Fixtures of the folder tests (shared ones live in tests/django_fixtures.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from pytest_django import Settings

from tests.django_fixtures import bucket, own_storage  # noqa: F401
from tests.stoppable_s3 import StoppableS3


@pytest.fixture
def local_storage(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """Notebook storage in a folder, as ``make run`` keeps it."""
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


@pytest.fixture
def stoppable_storage(settings: Settings) -> Iterator[StoppableS3]:
    with own_storage(settings, bucket="playground-folder-tests", prefix="folders") as s3:
        yield s3
