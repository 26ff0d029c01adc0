"""Object storage goes away in the middle of someone's work: the save fails cleanly.

A dedicated moto S3 server (in this process, like the session's) serves one bucket;
the test stops it between two saves. The person gets a 503 saying nothing was
saved, their notebook keeps its previous revision, and once storage is back that
revision reads back whole, with nothing half-written left in the bucket.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client
from pytest_django import Settings

from accounts.services import api_token_create
from notebooks.models import Notebook, Revision
from notebooks.selectors import storage_used
from tests.django_fixtures import own_storage
from tests.real_services import port_answers
from tests.stoppable_s3 import StoppableS3

pytestmark = pytest.mark.django_db

BUCKET = "playground-faults"
PREFIX = "faults"


@pytest.fixture
def storage(settings: Settings) -> Iterator[StoppableS3]:
    """The notebooks' storage pointed at a dedicated S3 server, with quick failures."""
    with own_storage(settings, bucket=BUCKET, prefix=PREFIX) as s3:
        yield s3


def _owner_client() -> tuple[Client, object]:
    owner = get_user_model().objects.create_user(
        username="outage", email="outage@example.com", password="a-long-password-1"
    )
    secret = api_token_create(user=owner, name="script").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), owner


def _text(value: int) -> str:
    return (
        "# /// playground\n# version = 1\n# ///\n\n"
        "# %% [markdown] name=intro\n# # Outage\n\n"
        f"# %% name=value\nvalue = {value}\nvalue\n"
    )


def test_a_save_while_storage_is_down_fails_and_keeps_the_previous_revision(
    storage: StoppableS3,
) -> None:
    client, owner = _owner_client()
    created = client.post(
        "/api/notebooks", {"title": "Outage", "content": _text(1)},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    public_id = created.json()["id"]
    saved = client.post(
        f"/api/notebooks/{public_id}/revisions", {"content": _text(2), "base_revision": 1},
        content_type="application/json",
    )
    assert saved.status_code == 201, saved.content
    assert saved.json()["revision"]["number"] == 2
    keys_before = storage.keys()
    assert len(keys_before) == 2
    used_before = storage_used(user=owner)

    storage.stop()
    assert not port_answers("127.0.0.1", storage.port)
    failed = client.post(
        f"/api/notebooks/{public_id}/revisions", {"content": _text(3), "base_revision": 2},
        content_type="application/json",
    )

    assert failed.status_code == 503, failed.content
    answer = failed.json()
    assert answer["code"] == "storage_unavailable"
    assert "nothing was saved" in answer["error"]
    assert "previous version is unchanged" in answer["error"]
    notebook = Notebook.objects.select_related("current_revision").get(public_id=public_id)
    assert notebook.current_revision.number == 2
    numbers = Revision.objects.filter(notebook=notebook).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2]
    assert storage_used(user=owner) == used_before

    storage.start()
    # The objects live in moto's in-process backends, not in the server: all still there.
    assert storage.keys() == keys_before
    assert f"{PREFIX}/{notebook.current_revision.storage_key}" in keys_before
    caches["revisions"].clear()  # read from storage, not from this process's memory
    reread = client.get(f"/api/notebooks/{public_id}")
    assert reread.status_code == 200, reread.content
    assert reread.json()["current_revision"] == 2
    assert reread.json()["content"] == _text(2)
    first = client.get(f"/api/notebooks/{public_id}/revisions/1")
    assert first.json()["content"] == _text(1)

    # Storage is back, so is saving: the same content now becomes revision 3.
    retried = client.post(
        f"/api/notebooks/{public_id}/revisions", {"content": _text(3), "base_revision": 2},
        content_type="application/json",
    )
    assert retried.status_code == 201, retried.content
    assert retried.json()["revision"]["number"] == 3
    assert len(storage.keys()) == 3
    assert json.loads(client.get(f"/api/notebooks/{public_id}").content)["content"] == _text(3)
