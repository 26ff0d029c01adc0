"""Fixtures shared by the Django app tests (tests/notebooks, tests/sharing, tests/accounts).

Each app's conftest.py imports the ones it uses. Kept out of tests/conftest.py, which
must import no Django (tests/runtime also runs under Pyodide).

- ``bucket``: the moto S3 bucket of this run (tests/real_services.py), read with boto3
  directly, not through the storage backend under test.
- ``fresh_cache``: a default cache of its own for one test, so rate-limit counts start
  at zero. Django's ``RedisCache.clear()`` would ``FLUSHDB`` the whole Redis database
  (every process's keys, the channel layer's too), whatever the ``KEY_PREFIX``; a new
  prefix per test isolates the counts without touching anyone else's.
"""

from __future__ import annotations

import copy
import os
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_django import Settings

from notebooks.models import Notebook
from tests.real_services import s3_client


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
def fresh_cache(settings: Settings) -> str:
    """Give this test's default cache a prefix of its own; return the prefix."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    return prefix
