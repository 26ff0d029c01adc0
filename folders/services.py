"""Changes to a notebook's folder: upload, write, rename, delete (docs/folders.md).

Every change is a new revision of the notebook (``notebooks.services.
revision_folder_change``) that keeps the current text. Bytes go to storage
first, each file once per notebook (by sha256), and only then, in one
transaction on the locked notebook, the folder changes and new files are counted
in the owner's storage. Whatever fails (a limit, a bad name, storage, the
database) leaves the folder as it was and removes the objects this change
stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import IntegrityError, transaction

from folders.errors import FileNotFound, FileTooLarge, InvalidPath
from folders.paths import folder_check, path_clean, under
from notebooks.errors import QuotaExceeded, StorageFailed
from notebooks.models import FolderBlob, Notebook
from notebooks.services import (
    SaveResult,
    folder_blob_key,
    revision_folder_change,
    storage_reserve,
)
from storage.blobs import StorageUnavailable, blob_delete, blob_put_file

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Incoming:
    """One file to put in the folder: its name and its bytes (read once, in chunks)."""

    path: str
    file: IO[bytes]


@dataclass(frozen=True)
class _Stored:
    path: str
    sha256: str
    size: int
    key: str | None  # None: the notebook already had these bytes


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _digest(file: IO[bytes], path: str) -> tuple[str, int]:
    """sha256 and size of ``file`` (rewound after), refusing one over the size limit."""
    limit = settings.FOLDER_FILE_MAX_BYTES
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    while chunk := file.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(
                f"{path!r} is larger than {_megabytes(limit)}, the most one file may hold. "
                "Nothing was changed.",
                limit=limit,
            )
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest(), size


@contextmanager
def _stored(notebook: Notebook, incoming: Iterable[Incoming]) -> Iterator[list[_Stored]]:
    """Store the bytes the notebook does not have yet; remove them again if the body of
    the ``with`` fails (the change did not land, so nothing points at them)."""
    stored: list[_Stored] = []
    fresh: dict[str, str] = {}  # sha256 -> key, so one upload of twice the same bytes stores once
    try:
        for item in incoming:
            sha, size = _digest(item.file, item.path)
            key: str | None = fresh.get(sha)
            known = FolderBlob.objects.filter(notebook=notebook, sha256=sha).exists()
            if key is None and not known:
                key = folder_blob_key(notebook)
                try:
                    blob_put_file(key=key, file=File(item.file, name=key))
                except StorageUnavailable as error:
                    raise StorageFailed(error.message) from error
                fresh[sha] = key
            stored.append(_Stored(item.path, sha, size, key))
        yield stored
    except BaseException:
        for key in fresh.values():
            blob_delete(key=key)
        raise


def _record(locked: Notebook, stored: list[_Stored]) -> list[str]:
    """Rows and storage count for the new objects; keys not needed (another change of the
    same bytes landed first) are returned, to be removed after the commit."""
    unused: list[str] = []
    seen: set[str] = set()
    for item in stored:
        if item.key is None or item.sha256 in seen:
            continue
        seen.add(item.sha256)
        if FolderBlob.objects.filter(notebook=locked, sha256=item.sha256).exists():
            unused.append(item.key)
            continue
        storage_reserve(owner_id=locked.owner_id, size=item.size)
        try:
            with transaction.atomic():
                FolderBlob.objects.create(
                    notebook=locked, sha256=item.sha256, size=item.size, storage_key=item.key
                )
        except IntegrityError:  # pragma: no cover - the notebook row is locked
            unused.append(item.key)
    return unused


def _count_check(files: dict[str, str]) -> None:
    limit = settings.FOLDER_FILES_MAX
    if len(files) > limit:
        raise QuotaExceeded(
            f"A notebook's folder may hold {limit} files; this change would make it "
            f"{len(files)}. Delete some files, or put them in an archive. Nothing was changed.",
            limit=limit,
        )


def _finish(files: dict[str, str]) -> dict[str, str]:
    folder_check(files)
    _count_check(files)
    return dict(sorted(files.items()))


def files_put(
    *, notebook: Notebook, author: User | None, incoming: list[Incoming]
) -> SaveResult:
    """Put each file in the folder (new, or replacing the file of that name), in one
    revision."""
    cleaned = [Incoming(path_clean(item.path), item.file) for item in incoming]
    if not cleaned:
        raise InvalidPath("Choose at least one file.")
    unused: list[str] = []
    with _stored(notebook, cleaned) as stored:

        def change(locked: Notebook, files: dict[str, str]) -> dict[str, str]:
            unused.extend(_record(locked, stored))
            for item in stored:
                files[item.path] = item.sha256
            return _finish(files)

        result = revision_folder_change(notebook=notebook, author=author, change=change)
    for key in unused:
        blob_delete(key=key)
    return result


def _matching(files: dict[str, str], path: str) -> list[str]:
    found = [name for name in files if under(name, path)]
    if not found:
        raise FileNotFound(f"The folder has no file or folder {path!r}.")
    return found


def file_delete(*, notebook: Notebook, author: User | None, path: str) -> SaveResult:
    """Remove a file, or a folder with everything in it (earlier revisions keep them)."""
    path = path_clean(path)

    def change(locked: Notebook, files: dict[str, str]) -> dict[str, str]:
        for name in _matching(files, path):
            del files[name]
        return files

    return revision_folder_change(notebook=notebook, author=author, change=change)


def file_rename(*, notebook: Notebook, author: User | None, old: str, new: str) -> SaveResult:
    """Rename a file, or a folder with everything in it; an existing ``new`` is refused."""
    old, new = path_clean(old), path_clean(new)
    if under(new, old) and new != old:
        raise InvalidPath(f"{old!r} cannot be moved inside itself.")

    def change(locked: Notebook, files: dict[str, str]) -> dict[str, str]:
        moving = _matching(files, old)
        if old == new:
            return files
        if any(under(name, new) for name in files):
            raise InvalidPath(f"{new!r} already exists. Delete it first, or choose another "
                              "name.")
        for name in moving:
            files[new + name[len(old):]] = files.pop(name)
        return _finish(files)

    return revision_folder_change(notebook=notebook, author=author, change=change)
