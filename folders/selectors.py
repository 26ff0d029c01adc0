"""Reads of a notebook's folder: its files at a revision, and one file's stored object."""

from __future__ import annotations

from dataclasses import dataclass

from folders.errors import FileNotFound
from folders.paths import path_clean
from notebooks.models import FolderBlob, Notebook, Revision


@dataclass(frozen=True)
class FolderFile:
    path: str
    size: int
    sha256: str


def folder_files(*, revision: Revision) -> list[FolderFile]:
    """The files of ``revision``'s folder, by name."""
    manifest: dict[str, str] = revision.files or {}
    sizes = dict(
        FolderBlob.objects.filter(
            notebook_id=revision.notebook_id, sha256__in=set(manifest.values())
        ).values_list("sha256", "size")
    )
    return [FolderFile(path, sizes[sha], sha) for path, sha in sorted(manifest.items())]


def folder_blob(*, notebook: Notebook, sha256: str) -> FolderBlob | None:
    return FolderBlob.objects.filter(notebook=notebook, sha256=sha256).first()


def folder_file_blob(*, revision: Revision, path: str) -> FolderBlob:
    """The stored object of the file ``path`` in ``revision``'s folder."""
    path = path_clean(path)
    sha = (revision.files or {}).get(path)
    blob = None if sha is None else FolderBlob.objects.filter(
        notebook_id=revision.notebook_id, sha256=sha).first()
    if blob is None:
        raise FileNotFound(f"The folder has no file {path!r}.")
    return blob
