"""Notebooks, their revisions, and how much storage each account uses.

A ``Notebook`` is addressed from outside only by ``public_id`` (128 random bits),
never by its database id. Each save adds a ``Revision`` (numbered 1, 2, 3... per
notebook) whose text lives in object storage under ``storage_key`` and whose
folder is ``files``, a manifest ``{path: sha256}`` of the notebook's ``FolderBlob``
objects (docs/folders.md). A change to the folder alone makes a revision that
shares the previous one's text object. Revisions and blobs are never changed or
removed except when their notebook is deleted for good.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def public_id_new() -> str:
    """22 URL-safe characters holding 128 random bits."""
    return secrets.token_urlsafe(16)


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private: only you, collaborators and people with a share link"
    UNLISTED = "unlisted", "Unlisted: anyone with the notebook's address can view and fork it"
    PUBLIC = "public", "Public: listed on the Explore page; anyone can view and fork it"


#: The longest title a notebook may have; longer ones are refused with a message.
TITLE_MAX_LENGTH = 200


class Notebook(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=public_id_new, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notebooks"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # Null only between creating the row and its first revision, inside one transaction.
    current_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now_add=True)
    # Set while the notebook is in the trash; purged after TRASH_RETENTION_DAYS.
    trashed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "trashed_at", "-updated_at"], name="notebook_dashboard"),
            models.Index(fields=["visibility", "-updated_at"], name="notebook_explore"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"

    @property
    def is_trashed(self) -> bool:
        return self.trashed_at is not None


class Revision(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    # Shared by consecutive revisions that differ only in their folder.
    storage_key = models.CharField(max_length=255, db_index=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Shown in link previews (og:description): the notebook's first words of prose.
    summary = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The folder beside the notebook: {relative path: sha256 of a FolderBlob}.
    files = models.JSONField(default=dict, blank=True)
    # Set when the revision was made by restoring an older one.
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notebook", "number"], name="revision_number_unique")
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.notebook.public_id} r{self.number}"


class FolderBlob(models.Model):
    """One file's bytes in a notebook's folder, stored once per notebook (by sha256)."""

    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="folder_blobs")
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    storage_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notebook", "sha256"], name="folder_blob_unique")
        ]

    def __str__(self) -> str:
        return f"{self.notebook_id}:{self.sha256[:12]}"


class StorageUsage(models.Model):
    """Bytes of revision text and folder files an account owns, kept in step with every
    save and purge (each stored object counted once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="storage_usage",
    )
    bytes_used = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user}: {self.bytes_used} bytes"
