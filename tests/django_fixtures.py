"""Fixtures shared by the Django app tests (tests/notebooks, tests/sharing, tests/accounts).

Each app's conftest.py imports the ones it uses. Kept out of tests/conftest.py, which
must import no Django (tests/runtime also runs under Pyodide).

- ``bucket``: the moto S3 bucket of this run (tests/real_services.py), read with boto3
  directly, not through the storage backend under test.
- ``own_storage``: the notebooks storage on a moto S3 server of the test's own, which
  the test can stop (tests/stoppable_s3.py), with the revision cache emptied.
- ``fresh_channel_layer``: a Channels layer of the test's own (used by every websocket
  test: tests/notebooks and tests/serverkernels conftest.py).
- ``local_storage``: the notebooks storage in a folder of the test's own, as ``make run``.
- ``fresh_cache``: a default cache of its own for one test, so rate-limit counts start
  at zero. Django's ``RedisCache.clear()`` would ``FLUSHDB`` the whole Redis database
  (every process's keys, the channel layer's too), whatever the ``KEY_PREFIX``; a new
  prefix per test isolates the counts without touching anyone else's.
"""

from __future__ import annotations

import contextlib
import copy
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from pytest_django import Settings

from notebooks.models import Notebook
from tests.real_services import free_port, s3_client
from tests.stoppable_s3 import StoppableS3, storages_on


@dataclass
class Bucket:
    """The notebooks bucket, seen from outside the service."""

    client: Any
    name: str
    prefix: str

    def _full(self, storage_key: str) -> str:
        return f"{self.prefix}/{storage_key}" if self.prefix else storage_key

    def keys(self, notebook: Notebook) -> set[str]:
        """Storage keys (as ``Revision.storage_key`` holds them) under the notebook's folder."""
        folder = self._full(f"{notebook.public_id}/")
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=folder
        )
        strip = len(self._full(""))
        return {item["Key"][strip:] for page in pages for item in page.get("Contents", [])}

    def read(self, storage_key: str) -> bytes:
        answer = self.client.get_object(Bucket=self.name, Key=self._full(storage_key))
        return bytes(answer["Body"].read())


@pytest.fixture(scope="session")
def bucket() -> Bucket:
    return Bucket(
        client=s3_client(os.environ["S3_ENDPOINT_URL"]),
        name=os.environ["S3_BUCKET"],
        prefix=os.environ.get("S3_PREFIX", "").strip("/"),
    )


@pytest.fixture
def fresh_channel_layer() -> Iterator[None]:
    """A channel layer of this test's own. channels_redis's layer keeps a receive lock
    bound to the event loop that first received; each async test has a loop of its
    own, and a receive a test left pending would break the next test's with "bound to
    a different event loop" (seen on a loaded machine)."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def local_storage(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """The notebooks storage in a folder, as ``make run`` keeps it."""
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
def fresh_cache(settings: Settings) -> str:
    """Give this test's default cache a prefix of its own; return the prefix."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    return prefix


@contextlib.contextmanager
def own_storage(settings: Settings, *, bucket: str, prefix: str) -> Iterator[StoppableS3]:
    """The notebooks storage on a new S3 server (``bucket``, keys under ``prefix``) that
    the test may stop; quick failures; nothing read before is served from memory."""
    s3 = StoppableS3(port=free_port(), bucket=bucket)
    s3.start()
    s3_client(s3.endpoint).create_bucket(Bucket=bucket)
    settings.STORAGES = storages_on(settings.STORAGES, s3, prefix=prefix)
    caches["revisions"].clear()
    try:
        yield s3
    finally:
        if s3.server is not None:
            s3.stop()
        caches["revisions"].clear()
