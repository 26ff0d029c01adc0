"""What folder changes refuse (``NotebookError`` subclasses: the API answers them as JSON)."""

from __future__ import annotations

from notebooks.errors import NotebookError


class InvalidPath(NotebookError):
    """A file name the folder cannot hold (``..``, a NUL, a file where a folder is, ...)."""

    code = "invalid_path"


class FileTooLarge(NotebookError):
    status = 413
    code = "too_large"


class FileNotFound(NotebookError):
    status = 404
    code = "not_found"
