"""Writes to notebooks: create, save a revision, rename, trash, restore, purge, fork, import.

Saving (``revision_create``) keeps three promises:

- **Nothing is overwritten.** The text goes to a new object under a new key; only
  then, in one transaction, the revision row is added and becomes current. If the
  upload fails, nothing changed; if the transaction fails, the orphan object is
  removed and nothing changed either.
- **No silent overwrite between tabs.** A save names the revision it was based on;
  if that is no longer current, ``SaveConflict`` carries the current one and the
  caller decides (load it, or save again based on it).
- **Limits** on notebook size, notebooks per account and storage per account, each
  with a message that says what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notebooks import events, selectors
from notebooks.content import (
    empty_notebook_text,
    notebook_import_convert,
    notebook_summary,
    notebook_text_parse,
    notebook_title_guess,
    size_check,
)
from notebooks.errors import InvalidTitle, QuotaExceeded, SaveConflict, StorageFailed
from notebooks.models import TITLE_MAX_LENGTH, FolderBlob, Notebook, Revision, StorageUsage
from storage.blobs import (
    StorageUnavailable,
    blob_copy,
    blob_delete,
    blob_key_new,
    blob_put,
    sha256_hex,
)

UNTITLED = "Untitled notebook"


@dataclass(frozen=True)
class SaveResult:
    revision: Revision
    # False when the text equals the current revision's: nothing new was stored.
    created: bool


def _title_clean(title: str) -> str:
    """The title as stored: whitespace runs made one space; too long a title is refused
    (a cut would silently lose what the person typed)."""
    cleaned = " ".join(title.replace("\x00", "").split())
    if len(cleaned) > TITLE_MAX_LENGTH:
        raise InvalidTitle(
            f"This title is {len(cleaned):,} characters long; a title may have at most "
            f"{TITLE_MAX_LENGTH}. Shorten it (the notebook's first markdown cell can hold "
            "a longer description).",
            length=len(cleaned),
            limit=TITLE_MAX_LENGTH,
        )
    return cleaned or UNTITLED


def notebook_title_check(*, title: str) -> None:
    """Raise ``InvalidTitle`` for a title ``notebook_rename`` would refuse, changing nothing
    (for a request that changes more than the title: every check before any change)."""
    _title_clean(title)


def _title_fitted(title: str, suffix: str) -> str:
    """A title we make (``"… (fork)"``): the original shortened so the suffix fits."""
    return title[: TITLE_MAX_LENGTH - len(suffix)].rstrip() + suffix


def _notebook_count_check(owner: User) -> None:
    limit = settings.NOTEBOOKS_PER_USER
    if Notebook.objects.filter(owner=owner, trashed_at__isnull=True).count() >= limit:
        raise QuotaExceeded(
            f"You have {limit} notebooks, the most an account can hold. Delete some to "
            "make room (notebooks in the trash do not count).",
            limit=limit,
        )


def _upload(*, notebook: Notebook, data: bytes) -> str:
    try:
        return blob_put(key=blob_key_new(folder=notebook.public_id), data=data)
    except StorageUnavailable as error:
        raise StorageFailed(error.message) from error


def storage_reserve(*, owner_id: int, size: int) -> None:
    """Count ``size`` bytes against the owner's storage, or raise if that passes the limit."""
    limit = settings.STORAGE_PER_USER_BYTES
    within_limit = StorageUsage.objects.filter(user_id=owner_id, bytes_used__lte=limit - size)
    reserved = within_limit.update(bytes_used=F("bytes_used") + size)
    if not reserved:
        # An account's first save has no row yet (one query, not one per save).
        _, created = StorageUsage.objects.get_or_create(user_id=owner_id)
        if created:
            reserved = within_limit.update(bytes_used=F("bytes_used") + size)
    if not reserved:
        raise QuotaExceeded(
            f"This save would take the notebooks' owner past their storage of "
            f"{limit // 1_000_000} MB (every revision counts). Delete old notebooks and "
            "empty the trash to make room.",
            limit=limit,
        )


def _revision_add(
    *,
    notebook: Notebook,
    text: str,
    author: User | None,
    base_revision: int | None,
    files: dict[str, str] | None = None,
    restored_from: int | None = None,
) -> SaveResult:
    """A revision with ``text``; its folder is ``files``, or else the current one's."""
    data = text.encode("utf-8")
    size_check(data)
    parsed = notebook_text_parse(text)
    digest = sha256_hex(data)
    current = notebook.current_revision
    if current is not None:
        # The caller's notebook may be stale: "nothing new" only if that is still current.
        wanted = current.files if files is None else files
        if current.sha256 == digest and current.files == wanted and _still_current(
            notebook, current
        ):
            return SaveResult(revision=current, created=False)
        # Numbers only grow: older than even a stale current is a conflict for sure,
        # unless only the folder changed since (a file change never conflicts with text).
        if (base_revision is not None and base_revision < current.number
                and _text_changed_since(notebook, base_revision, current)):
            raise _conflict(current)

    key = _upload(notebook=notebook, data=data)
    try:
        with transaction.atomic():
            locked = Notebook.objects.select_for_update().get(pk=notebook.pk)
            # Read after the lock is held, in a statement of its own: a join in the locking
            # query would still see the revision that was current before a concurrent save
            # committed (PostgreSQL re-reads only the locked row), and reuse its number.
            latest = locked.current_revision
            if files is None:
                files = latest.files if latest is not None else {}
            if latest is not None and latest.sha256 == digest and latest.files == files:
                blob_delete(key=key)
                return SaveResult(revision=latest, created=False)
            if (latest is not None and base_revision is not None
                    and base_revision != latest.number
                    and _text_changed_since(locked, base_revision, latest)):
                raise _conflict(latest)
            storage_reserve(owner_id=locked.owner_id, size=len(data))
            revision = Revision.objects.create(
                notebook=locked,
                number=(latest.number + 1) if latest else 1,
                storage_key=key,
                size=len(data),
                sha256=digest,
                summary=notebook_summary(parsed),
                author=_author(author),
                files=files,
                restored_from=restored_from,
            )
            _make_current(notebook, locked, revision,
                          text_changed=latest is None or latest.sha256 != digest)
    except BaseException:
        blob_delete(key=key)
        raise
    return SaveResult(revision=revision, created=True)


def _author(author: User | None) -> User | None:
    return author if author is not None and author.is_authenticated else None


def _make_current(
    notebook: Notebook, locked: Notebook, revision: Revision, *, text_changed: bool
) -> None:
    now = timezone.now()
    Notebook.objects.filter(pk=locked.pk).update(current_revision=revision, updated_at=now)
    notebook.current_revision = revision
    notebook.updated_at = now
    transaction.on_commit(lambda: events.revision_created(revision, text_changed=text_changed))


def _text_changed_since(notebook: Notebook, base_revision: int, latest: Revision) -> bool:
    """Whether the text differs between revision ``base_revision`` and ``latest``."""
    base = Revision.objects.filter(notebook=notebook, number=base_revision).first()
    return base is None or base.sha256 != latest.sha256


FolderChange = Callable[[Notebook, dict[str, str]], dict[str, str]]


def revision_folder_change(
    *, notebook: Notebook, author: User | None, change: FolderChange
) -> SaveResult:
    """A revision with the current text and the folder ``change(locked, files)`` returns.

    ``change`` runs inside the transaction, with the notebook row locked, on the
    current folder (so two changes made at once both land); it may add
    ``FolderBlob`` rows and reserve storage for them, or raise to change nothing.
    """
    with transaction.atomic():
        locked = Notebook.objects.select_for_update().get(pk=notebook.pk)
        latest = locked.current_revision
        assert latest is not None
        files = change(locked, dict(latest.files))
        if files == latest.files:
            notebook.current_revision = latest
            return SaveResult(revision=latest, created=False)
        revision = Revision.objects.create(
            notebook=locked,
            number=latest.number + 1,
            storage_key=latest.storage_key,
            size=latest.size,
            sha256=latest.sha256,
            summary=latest.summary,
            author=_author(author),
            files=files,
        )
        _make_current(notebook, locked, revision, text_changed=False)
    return SaveResult(revision=revision, created=True)


def _still_current(notebook: Notebook, revision: Revision) -> bool:
    return Notebook.objects.filter(pk=notebook.pk, current_revision=revision).exists()


def _conflict(current: Revision) -> SaveConflict:
    return SaveConflict(
        f"This notebook was saved elsewhere (revision {current.number}) after the version "
        "you were editing. Load that version, or save yours on top of it.",
        current_revision=current.number,
    )


def revision_create(
    *,
    notebook: Notebook,
    content: str,
    author: User | None,
    base_revision: int | None,
) -> SaveResult:
    """Save ``content`` as the notebook's new current revision.

    ``base_revision`` is the revision the editor started from; ``None`` saves
    regardless of what is current (API clients that do not care).
    """
    return _revision_add(
        notebook=notebook, text=content, author=author, base_revision=base_revision
    )


def revision_restore(
    *, notebook: Notebook, number: int, author: User | None
) -> SaveResult:
    """Make revision ``number``'s text and folder current again, as a new revision
    (history is kept)."""
    old = selectors.revision_get(notebook=notebook, number=number)
    text = selectors.revision_text(revision=old)
    return _revision_add(
        notebook=notebook, text=text, author=author, base_revision=None, files=old.files,
        restored_from=number,
    )


def notebook_create(
    *,
    owner: User,
    title: str = "",
    content: str | None = None,
    forked_from: Notebook | None = None,
) -> Notebook:
    """A new notebook in ``owner``'s account, with ``content`` (or one empty cell) as
    revision 1; a fork's revision 1 has a copy of the folder it was forked with."""
    _notebook_count_check(owner)
    text = empty_notebook_text() if content is None else content
    if not title and content is not None:
        title = notebook_title_guess(notebook_text_parse(text))
    # One transaction: a failed first save leaves no empty notebook behind.
    with transaction.atomic():
        notebook = Notebook.objects.create(
            owner=owner, title=_title_clean(title), forked_from=forked_from
        )
        files: dict[str, str] = {}
        if forked_from is not None and forked_from.current_revision is not None:
            files = forked_from.current_revision.files
            _folder_copy(source=forked_from, target=notebook, digests=set(files.values()))
        _revision_add(notebook=notebook, text=text, author=owner, base_revision=None, files=files)
    return notebook


def folder_blob_key(notebook: Notebook) -> str:
    """A fresh key for one of the notebook's folder files (random: never reused)."""
    return blob_key_new(folder=f"{notebook.public_id}/files", suffix="")


def _folder_copy(*, source: Notebook, target: Notebook, digests: set[str]) -> None:
    """Copy the objects of ``digests`` from ``source``'s folder into ``target``'s (and
    count them in ``target``'s owner's storage); on failure nothing copied stays."""
    copied: list[str] = []
    try:
        for blob in FolderBlob.objects.filter(notebook=source, sha256__in=digests):
            key = folder_blob_key(target)
            try:
                blob_copy(source_key=blob.storage_key, key=key)
            except StorageUnavailable as error:
                raise StorageFailed(error.message) from error
            copied.append(key)
            storage_reserve(owner_id=target.owner_id, size=blob.size)
            FolderBlob.objects.create(
                notebook=target, sha256=blob.sha256, size=blob.size, storage_key=key
            )
    except BaseException:
        for key in copied:
            blob_delete(key=key)
        raise


def notebook_import(
    *, owner: User, text: str, filename: str = "", title: str = ""
) -> Notebook:
    """Import a pasted or uploaded notebook (ours, marimo, Jupyter or a ``#code/`` link)."""
    imported = notebook_import_convert(text=text, filename=filename)
    return notebook_create(owner=owner, title=title or imported.title, content=imported.text)


def notebook_fork(*, notebook: Notebook, owner: User) -> Notebook:
    """A copy of the notebook's current revision in ``owner``'s account."""
    revision = notebook.current_revision
    assert revision is not None
    text = selectors.revision_text(revision=revision)
    return notebook_create(
        owner=owner,
        title=_title_fitted(notebook.title, " (fork)"),
        content=text,
        forked_from=notebook,
    )


def notebook_rename(*, notebook: Notebook, title: str) -> Notebook:
    notebook.title = _title_clean(title)
    notebook.save(update_fields=["title"])
    return notebook


def notebook_trash(*, notebook: Notebook) -> Notebook:
    """Move to the trash: links and collaborators stop working until it is restored."""
    notebook.trashed_at = timezone.now()
    notebook.save(update_fields=["trashed_at"])
    events.access_changed(notebook.public_id)
    return notebook


def notebook_restore(*, notebook: Notebook) -> Notebook:
    if notebook.trashed_at is None:
        return notebook
    _notebook_count_check(notebook.owner)
    notebook.trashed_at = None
    notebook.save(update_fields=["trashed_at"])
    return notebook


def notebook_purge(*, notebook: Notebook) -> None:
    """Delete the notebook for good: every revision's and file's object, its rows, its
    storage count."""
    # Revisions that changed only the folder share their text's object: count it once.
    objects = dict(Revision.objects.filter(notebook=notebook).values_list("storage_key", "size"))
    objects.update(FolderBlob.objects.filter(notebook=notebook).values_list("storage_key", "size"))
    with transaction.atomic():
        Notebook.objects.filter(pk=notebook.pk).update(current_revision=None)
        notebook.delete()
        StorageUsage.objects.filter(user_id=notebook.owner_id).update(
            bytes_used=F("bytes_used") - sum(objects.values())
        )
    events.access_changed(notebook.public_id)
    for key in objects:
        blob_delete(key=key)


def trash_purge_expired(*, now: datetime | None = None) -> int:
    """Purge notebooks that have been in the trash longer than ``TRASH_RETENTION_DAYS``."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.TRASH_RETENTION_DAYS)
    expired = Notebook.objects.filter(trashed_at__lt=cutoff)
    count = 0
    for notebook in expired.iterator():
        notebook_purge(notebook=notebook)
        count += 1
    return count
