"""The error for the parts of marimo's API this layer does not cover yet."""

from __future__ import annotations


class NotSupported(AttributeError):
    """``mo.<name>`` (or a use of it) that Playground does not support yet.

    An ``AttributeError``, so ``hasattr(mo, name)`` and ``getattr(mo, name, None)``
    behave as for any module that lacks the name.
    """

    def __init__(self, what: str, hint: str = "") -> None:
        message = (
            f"{what} is not supported yet by Playground's marimo layer; the rest of the "
            "notebook runs without it."
        )
        if hint:
            message += f" ({hint})"
        super().__init__(message)
