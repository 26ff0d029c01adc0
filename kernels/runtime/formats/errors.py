"""The one exception every notebook reader and writer raises for bad input.

It lives in its own module so the format modules can raise it without
importing the package ``__init__`` (which imports them); import it from
``kernels.runtime.formats``.
"""

from __future__ import annotations


class NotebookFormatError(ValueError):
    """A file or notebook cannot be read or written in the requested format.

    The message is one line that says what is wrong and where (file name,
    cell number or line) so it can be shown to the user as is.
    """
