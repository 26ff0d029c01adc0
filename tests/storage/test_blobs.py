"""``storage.blobs``: write-once objects in the notebooks storage, and the cache in front of it.

Against real storage: moto's S3 server (a dedicated one the test can stop, or the run's
bucket) and, for the local backend, a folder. What is checked:

- a read while storage is down answers 503 "try again" at the HTTP level, never 500;
- the per-process revision cache keeps objects up to ``_CACHE_MAX_BYTES`` and never a
  larger one, and holds at most ``MAX_ENTRIES`` objects, so a process's memory for it is
  bounded (entries x bytes);
- a storage key is never used twice: every save, even of a text saved before, goes to a
  new key, and the objects already there keep their bytes.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.test import Client
from pytest_django import Settings

from notebooks import services
from notebooks.models import Revision
from storage.blobs import (
    _CACHE_MAX_BYTES,
    StorageUnavailable,
    blob_delete,
    blob_get,
    blob_key_new,
    blob_put,
)
from tests.django_fixtures import Bucket
from tests.factories import code, notebook_make, notebook_text, user_make
from tests.real_services import s3_client
from tests.stoppable_s3 import StoppableS3
from tests.storage.conftest import BUCKET, PREFIX

pytestmark = pytest.mark.django_db


def _http(user) -> Client:
    """A signed-in client that answers like the server: an uncaught error is a 500 response."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# -- reading while storage is down ------------------------------------------------------------


def test_a_read_while_storage_is_down_answers_503_try_again_not_500(
    stoppable_storage: StoppableS3,
) -> None:
    owner = user_make()
    text = notebook_text(code("x = 'kept safe'", "a"))
    notebook = notebook_make(owner, cells=[code("x = 'kept safe'", "a")])
    client = _http(owner)
    caches["revisions"].clear()  # nothing read yet may come from memory
    stoppable_storage.stop()

    reads = {
        "the notebook (API)": client.get(f"/api/notebooks/{notebook.public_id}"),
        "a revision (API)": client.get(f"/api/notebooks/{notebook.public_id}/revisions/1"),
        "the download": client.get(f"/notebooks/{notebook.public_id}/download"),
    }

    for what, answer in reads.items():
        assert answer.status_code == 503, (what, answer.status_code, answer.content[:300])
        assert b"try again" in answer.content, (what, answer.content[:300])
    api = reads["the notebook (API)"].json()
    assert api["code"] == "storage_unavailable"
    assert api["error"] == "The notebook storage could not be reached; try again in a moment."

    # Storage is back: the same reads answer, with the text.
    stoppable_storage.start()
    again = client.get(f"/api/notebooks/{notebook.public_id}")
    assert again.status_code == 200, again.content
    assert again.json()["content"] == text


def test_blob_get_raises_storage_unavailable_while_storage_is_down(
    stoppable_storage: StoppableS3,
) -> None:
    key = blob_put(key=blob_key_new(folder="down"), data=b"bytes")
    caches["revisions"].clear()
    stoppable_storage.stop()

    with pytest.raises(StorageUnavailable, match="try again in a moment"):
        blob_get(key=key)


# -- the revision cache ---------------------------------------------------------------------


def test_the_cache_keeps_an_object_at_its_size_bound_and_never_a_larger_one(
    stoppable_storage: StoppableS3,
) -> None:
    at_bound = b"a" * _CACHE_MAX_BYTES
    over = b"b" * (_CACHE_MAX_BYTES + 1)
    key_at_bound = blob_put(key=blob_key_new(folder="cache"), data=at_bound)
    key_over = blob_put(key=blob_key_new(folder="cache"), data=over)
    assert blob_get(key=key_at_bound) == at_bound
    assert blob_get(key=key_over) == over

    # Only what this process kept in memory can still be read.
    stoppable_storage.stop()

    assert blob_get(key=key_at_bound) == at_bound
    with pytest.raises(StorageUnavailable):
        blob_get(key=key_over)


def test_the_cache_holds_at_most_max_entries_objects(
    settings: Settings, stoppable_storage: StoppableS3
) -> None:
    entries = 4
    cache_settings = copy.deepcopy(settings.CACHES)
    cache_settings["revisions"]["OPTIONS"]["MAX_ENTRIES"] = entries
    settings.CACHES = cache_settings
    caches["revisions"].clear()
    keys = [blob_put(key=blob_key_new(folder="many"), data=b"%d" % n) for n in range(3 * entries)]
    for key in keys:
        blob_get(key=key)

    stoppable_storage.stop()

    still_in_memory = []
    for key in keys:
        try:
            blob_get(key=key)
        except StorageUnavailable:
            continue
        still_in_memory.append(key)
    assert 0 < len(still_in_memory) <= entries


def test_the_configured_cache_is_per_process_and_bounded(settings: Settings) -> None:
    """At most MAX_ENTRIES objects of at most _CACHE_MAX_BYTES each: 256 MiB by default."""
    revisions = settings.CACHES["revisions"]
    assert revisions["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    entries = revisions["OPTIONS"]["MAX_ENTRIES"]
    assert 0 < entries * _CACHE_MAX_BYTES <= 256 * 1024 * 1024
    # No larger than the largest notebook: then every revision could be cached.
    assert _CACHE_MAX_BYTES < settings.NOTEBOOK_MAX_BYTES


# -- keys are never reused --------------------------------------------------------------------


def test_every_save_gets_a_new_key_even_for_a_text_saved_before(bucket: Bucket) -> None:
    owner = user_make()
    first = notebook_text(code("x = 1", "a"))
    second = notebook_text(code("x = 2", "a"))
    notebook = notebook_make(owner, cells=[code("x = 1", "a")])
    # A change, then back to the first text: a new revision, not "nothing new".
    for text in (second, first):
        result = services.revision_create(
            notebook=notebook, content=text, author=owner, base_revision=None
        )
        assert result.created

    revisions = list(Revision.objects.filter(notebook=notebook).order_by("number"))
    keys = [revision.storage_key for revision in revisions]

    assert [revision.number for revision in revisions] == [1, 2, 3]
    assert len(set(keys)) == 3, keys
    assert bucket.keys(notebook) == set(keys)
    for revision, text in zip(revisions, (first, second, first), strict=True):
        assert bucket.read(revision.storage_key) == text.encode()


def test_a_new_key_is_128_random_bits_under_the_folder() -> None:
    keys = {blob_key_new(folder="nb123") for _ in range(1000)}

    assert len(keys) == 1000
    for key in keys:
        assert re.fullmatch(r"nb123/[0-9a-f]{32}\.py", key), key


def test_the_local_backend_refuses_to_reuse_a_key_and_keeps_the_first_object(
    local_storage,
) -> None:
    key = blob_key_new(folder="local")
    assert blob_put(key=key, data=b"first") == key

    with pytest.raises(StorageUnavailable, match="stored"):
        blob_put(key=key, data=b"second")

    caches["revisions"].clear()
    assert blob_get(key=key) == b"first"
    assert (local_storage / key).read_bytes() == b"first"


# -- what a failure tells the person and the log ----------------------------------------------


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "storage.blobs"]


def test_a_write_while_storage_is_down_says_nothing_was_saved_and_logs_why(
    stoppable_storage: StoppableS3, caplog: pytest.LogCaptureFixture
) -> None:
    key = blob_key_new(folder="down")
    stoppable_storage.stop()

    with caplog.at_level(logging.WARNING, logger="storage.blobs"):
        with pytest.raises(StorageUnavailable) as refused:
            blob_put(key=key, data=b"bytes")

    assert str(refused.value) == refused.value.message == (
        "The notebook storage could not be reached, so nothing was saved; your previous "
        "version is unchanged. Try again in a moment."
    )
    assert _warnings(caplog) == [
        f"writing {key} to notebook storage failed: {refused.value.__cause__}"
    ]


def test_a_read_while_storage_is_down_logs_the_key_and_the_error(
    stoppable_storage: StoppableS3, caplog: pytest.LogCaptureFixture
) -> None:
    key = blob_put(key=blob_key_new(folder="down"), data=b"bytes")
    caches["revisions"].clear()
    stoppable_storage.stop()

    with caplog.at_level(logging.WARNING, logger="storage.blobs"):
        with pytest.raises(StorageUnavailable) as refused:
            blob_get(key=key)

    assert _warnings(caplog) == [
        f"reading {key} from notebook storage failed: {refused.value.__cause__}"
    ]


def test_a_cached_object_never_expires(
    stoppable_storage: StoppableS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = blob_put(key=blob_key_new(folder="kept"), data=b"for good")
    assert blob_get(key=key) == b"for good"
    stoppable_storage.stop()

    # A year later, as the cache's clock sees it.
    later = time.time() + 366 * 24 * 3600
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: later))

    assert blob_get(key=key) == b"for good"


# -- deleting ---------------------------------------------------------------------------------


def test_a_deleted_object_is_gone_from_storage_and_from_memory(
    stoppable_storage: StoppableS3,
) -> None:
    key = blob_put(key=blob_key_new(folder="gone"), data=b"old")
    other = blob_put(key=blob_key_new(folder="gone"), data=b"kept")
    assert blob_get(key=key) == b"old"  # now in this process's cache

    blob_delete(key=key)

    stored = s3_client(stoppable_storage.endpoint).list_objects_v2(
        Bucket=BUCKET, Prefix=f"{PREFIX}/gone/"
    )
    assert [item["Key"] for item in stored.get("Contents", [])] == [f"{PREFIX}/{other}"]
    stoppable_storage.stop()
    with pytest.raises(StorageUnavailable):
        blob_get(key=key)


def test_a_delete_while_storage_is_down_is_logged_not_raised(
    stoppable_storage: StoppableS3, caplog: pytest.LogCaptureFixture
) -> None:
    key = blob_put(key=blob_key_new(folder="gone"), data=b"old")
    stoppable_storage.stop()

    with caplog.at_level(logging.WARNING, logger="storage.blobs"):
        blob_delete(key=key)

    (warning,) = _warnings(caplog)
    assert warning.startswith(f"deleting {key} from notebook storage failed: ")
    assert len(warning) > len(f"deleting {key} from notebook storage failed: ") + len("None")
