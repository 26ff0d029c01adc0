"""What the notebook services refuse, with the HTTP status to answer and a message to show.

Pages show ``message`` to the person; the API answers ``{"error": message, "code": code}``.
"""

from __future__ import annotations

from typing import Any


class NotebookError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidNotebook(NotebookError):
    """The text is not a notebook we can read (or the import could not be converted)."""

    code = "invalid_notebook"


class InvalidTitle(NotebookError):
    """A title over the limit: refused with the limit named, never cut silently."""

    code = "invalid_title"


class BaseRevisionRequired(NotebookError):
    """An API save that names neither the revision it was edited from nor ``save_on_top``."""

    code = "base_revision_required"


class NotebookTooLarge(NotebookError):
    status = 413
    code = "too_large"


class QuotaExceeded(NotebookError):
    status = 403
    code = "quota"


class SaveConflict(NotebookError):
    """The revision a save was based on is no longer the current one."""

    status = 409
    code = "conflict"


class StorageFailed(NotebookError):
    status = 503
    code = "storage_unavailable"


class RevisionNotFound(NotebookError):
    status = 404
    code = "not_found"
