"""Reads of notebooks: the dashboard, the trash, Explore, revisions, their text and diffs."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from notebooks.cell_diffs import CellChange, notebook_diff
from notebooks.content import notebook_text_parse
from notebooks.diffs import DiffLine, unified_diff
from notebooks.errors import InvalidNotebook, RevisionNotFound, StorageFailed
from notebooks.models import Notebook, Revision, StorageUsage, Visibility
from storage.blobs import StorageUnavailable, blob_get

#: Words of a search query that count; the rest are ignored.
SEARCH_MAX_WORDS = 20
_TITLE_LENGTH = Notebook._meta.get_field("title").max_length or 0


def notebook_list_for_user(*, user: User, query: str = "") -> QuerySet[Notebook]:
    """The user's own notebooks (not in the trash), newest first, filtered by ``query``."""
    notebooks = (
        Notebook.objects.filter(owner=user, trashed_at__isnull=True, current_revision__isnull=False)
        .select_related("current_revision")
        .order_by("-updated_at")
    )
    return title_search(notebooks, query)


def title_search(notebooks: QuerySet[Notebook], query: str) -> QuerySet[Notebook]:
    """Keep the notebooks whose title holds each of the first ``SEARCH_MAX_WORDS`` words
    of ``query`` (any case).

    One filter with a bounded number of conditions: a filter per word costs time
    quadratic in the number of words (each copies the query built so far), and every
    condition is one more substring search per notebook in the database.
    """
    words = list(dict.fromkeys(query.replace("\x00", "").split()))[:SEARCH_MAX_WORDS]
    if any(len(word) > _TITLE_LENGTH for word in words):
        return notebooks.none()  # no title is that long
    return notebooks.filter(*(Q(title__icontains=word) for word in words))


def notebook_trash_for_user(*, user: User) -> QuerySet[Notebook]:
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


def revision_diff(*, old: Revision, new: Revision) -> list[DiffLine]:
    """A unified diff of ``old``'s text against ``new``'s (three lines of context).

    Its time grows linearly with the texts, whatever they hold (``notebooks.diffs``).
    """
    old_lines = revision_text(revision=old).splitlines()
    new_lines = revision_text(revision=new).splitlines()
    return unified_diff(old_lines, new_lines)


def revision_cell_diff(*, old: Revision, new: Revision) -> list[CellChange] | None:
    """What changed from ``old`` to ``new``, cell by cell (``notebooks.cell_diffs``), or
    None if either text does not read as a notebook (then show ``revision_diff``)."""
    try:
        before = notebook_text_parse(revision_text(revision=old))
        after = notebook_text_parse(revision_text(revision=new))
    except InvalidNotebook:
        return None
    return notebook_diff(before, after)


def revision_diff_text(*, old: Revision, new: Revision) -> str:
    markers = {"context": " ", "added": "+", "removed": "-", "hunk": ""}
    return "\n".join(markers[line.kind] + line.text for line in revision_diff(old=old, new=new))


def storage_used(*, user: User) -> int:
    """Bytes of revisions the user owns (no row yet: nothing saved yet)."""
    usage = StorageUsage.objects.filter(user=user).values_list("bytes_used", flat=True).first()
    return usage or 0
