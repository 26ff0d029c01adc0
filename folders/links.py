"""Capability addresses of folder files on the user-content site (docs/folders.md).

The playground frame runs on ``USERCONTENT_ORIGIN`` with none of the app's cookies,
so it cannot ask the API for a file. The app gives it, for each file the person may
read, an address signed by the service that names one notebook's one object and a
day it expires: whoever holds it may read those bytes until then, and nothing else.
The address stays the same for a day, so the browser's cache keeps the bytes.
"""

from __future__ import annotations

import time
from urllib.parse import quote

from django.conf import settings
from django.core import signing

_SALT = "folders.file-url"
_DAY = 86400


def file_url(*, notebook_id: str, sha256: str, path: str, now: float | None = None) -> str:
    """The address of one file's bytes on the user-content site."""
    now = time.time() if now is None else now
    # Expires at the end of the day after the one the link is made in: at least
    # FOLDER_URL_MAX_AGE from now, and the same address all day.
    expires = (int(now + settings.FOLDER_URL_MAX_AGE) // _DAY + 1) * _DAY
    token = signing.dumps([notebook_id, sha256, expires], salt=_SALT, compress=True)
    name = quote(path.rsplit("/", 1)[-1], safe="")
    return f"{settings.USERCONTENT_ORIGIN}/files/{token}/{name}"


def file_url_open(token: str, *, now: float | None = None) -> tuple[str, str] | None:
    """(notebook id, sha256) named by a valid, unexpired token; else None."""
    try:
        notebook_id, sha256, expires = signing.loads(token, salt=_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(expires, int) or expires < (time.time() if now is None else now):
        return None
    if not isinstance(notebook_id, str) or not isinstance(sha256, str):
        return None
    return notebook_id, sha256
