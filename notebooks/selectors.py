"""Reads of notebooks: the dashboard, the trash, Explore, revisions, their text and diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from notebooks.errors import RevisionNotFound, StorageFailed
from notebooks.models import Notebook, Revision, StorageUsage, Visibility
from storage.blobs import StorageUnavailable, blob_get


def notebook_list_for_user(*, user: AbstractBaseUser, query: str = "") -> QuerySet[Notebook]:
    """The user's own notebooks (not in the trash), newest first, filtered by ``query``."""
    notebooks = (
        Notebook.objects.filter(owner=user, trashed_at__isnull=True, current_revision__isnull=False)
        .select_related("current_revision")
        .order_by("-updated_at")
    )
    return title_search(notebooks, query)


def title_search(notebooks: QuerySet[Notebook], query: str) -> QuerySet[Notebook]:
    """Keep the notebooks whose title holds every word of ``query`` (any case)."""
    for word in query.replace("\x00", "").split():
        notebooks = notebooks.filter(title__icontains=word)
    return notebooks


def notebook_trash_for_user(*, user: AbstractBaseUser) -> QuerySet[Notebook]:
    return Notebook.objects.filter(owner=user, trashed_at__isnull=False).order_by("-trashed_at")


def notebook_public_list(*, query: str = "") -> QuerySet[Notebook]:
    notebooks = (
        Notebook.objects.filter(
            visibility=Visibility.PUBLIC, trashed_at__isnull=True, current_revision__isnull=False
        )
        .select_related("owner", "current_revision")
        .order_by("-updated_at")
    )
    return title_search(notebooks, query)


def notebook_get(*, public_id: str) -> Notebook | None:
    """The notebook with this public id (whoever may see it: ask ``sharing.access``)."""
    return (
        Notebook.objects.select_related("current_revision", "owner")
        .filter(public_id=public_id, current_revision__isnull=False)
        .first()
    )


def revision_list(*, notebook: Notebook) -> QuerySet[Revision]:
    return Revision.objects.filter(notebook=notebook).select_related("author").order_by("-number")


def revision_get(*, notebook: Notebook, number: int) -> Revision:
    revision = Revision.objects.filter(notebook=notebook, number=number).first()
    if revision is None:
        raise RevisionNotFound(f"This notebook has no revision {number}.")
    return revision


def revision_text(*, revision: Revision) -> str:
    try:
        return blob_get(key=revision.storage_key).decode("utf-8")
    except StorageUnavailable as error:
        raise StorageFailed(error.message) from error


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "context", "added", "removed", "hunk"
    text: str


def revision_diff(*, old: Revision, new: Revision) -> list[DiffLine]:
    """A unified diff of ``old``'s text against ``new``'s (three lines of context)."""
    old_lines = revision_text(revision=old).splitlines()
    new_lines = revision_text(revision=new).splitlines()
    lines: list[DiffLine] = []
    diff = difflib.unified_diff(
        old_lines, new_lines, f"revision {old.number}", f"revision {new.number}", lineterm=""
    )
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return lines


def revision_diff_text(*, old: Revision, new: Revision) -> str:
    markers = {"context": " ", "added": "+", "removed": "-", "hunk": ""}
    return "\n".join(markers[line.kind] + line.text for line in revision_diff(old=old, new=new))


def storage_used(*, user: AbstractBaseUser) -> int:
    """Bytes of revisions the user owns (no row yet: nothing saved yet)."""
    usage = StorageUsage.objects.filter(user=user).values_list("bytes_used", flat=True).first()
    return usage or 0
