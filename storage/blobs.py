"""Write-once blobs in the ``notebooks`` storage, and the errors a caller can show.

``blob_put`` writes bytes under a new key and returns only once the storage holds
all of them; a failed write leaves nothing readable behind (S3 PUTs are atomic;
the local backend writes under the final name only through Django's exclusive
create). Keys are random and never reused, so an object's bytes never change and
``blob_get`` may serve them from the ``revisions`` cache of each process.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import IO

from botocore.exceptions import BotoCoreError, ClientError
from django.core.cache import caches
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages

logger = logging.getLogger(__name__)

# Objects larger than this are read from storage every time instead of being cached.
_CACHE_MAX_BYTES = 128 * 1024
_STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The object storage could not be written or read; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _storage() -> Storage:
    return storages["notebooks"]


def blob_key_new(*, folder: str, suffix: str = ".py") -> str:
    """A fresh key under ``folder``: 128 random bits, so it is never reused."""
    return f"{folder}/{secrets.token_hex(16)}{suffix}"


def blob_put(*, key: str, data: bytes) -> str:
    """Store ``data`` under ``key`` and return the key the storage used.

    Raises ``StorageUnavailable`` when the storage refuses or cannot be reached.
    """
    return blob_put_file(key=key, file=ContentFile(data))


def blob_put_file(*, key: str, file: File[bytes]) -> str:
    """``blob_put`` for a file of any size, streamed from ``file`` (an upload on disk)."""
    try:
        stored = _storage().save(key, file)
    except _STORAGE_ERRORS as error:
        logger.warning("writing %s to notebook storage failed: %s", key, error)
        raise StorageUnavailable(
            "The notebook storage could not be reached, so nothing was saved; "
            "your previous version is unchanged. Try again in a moment."
        ) from error
    if stored != key:
        # The local backend renames on a clash; with random keys that means a bug.
        raise StorageUnavailable(f"The notebook storage stored {key} as {stored}.")
    return stored


def blob_copy(*, source_key: str, key: str) -> str:
    """Copy the object under ``source_key`` to the new ``key`` (streamed, any size)."""
    try:
        with _storage().open(source_key, "rb") as source:
            return blob_put_file(key=key, file=File(source, name=key))
    except _STORAGE_ERRORS as error:
        logger.warning("copying %s in notebook storage failed: %s", source_key, error)
        raise StorageUnavailable(
            "The notebook storage could not be reached; nothing was copied. Try again in "
            "a moment."
        ) from error


def blob_open(*, key: str) -> IO[bytes]:
    """The object under ``key``, open for streaming (the caller closes it)."""
    try:
        return _storage().open(key, "rb")
    except _STORAGE_ERRORS as error:
        logger.warning("reading %s from notebook storage failed: %s", key, error)
        raise StorageUnavailable(
            "The notebook storage could not be reached; try again in a moment."
        ) from error


def blob_get(*, key: str) -> bytes:
    """The bytes under ``key`` (cached per process: they never change)."""
    cache = caches["revisions"]
    cached: bytes | None = cache.get(key)
    if cached is not None:
        return cached
    try:
        with _storage().open(key, "rb") as file:
            data: bytes = file.read()
    except _STORAGE_ERRORS as error:
        logger.warning("reading %s from notebook storage failed: %s", key, error)
        raise StorageUnavailable(
            "The notebook storage could not be reached; try again in a moment."
        ) from error
    if len(data) <= _CACHE_MAX_BYTES:
        cache.set(key, data, timeout=None)
    return data


def blob_delete(*, key: str) -> None:
    """Remove ``key``; a failure is logged, not raised (nothing points at the object any more)."""
    caches["revisions"].delete(key)
    try:
        _storage().delete(key)
    except _STORAGE_ERRORS as error:
        logger.warning("deleting %s from notebook storage failed: %s", key, error)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
