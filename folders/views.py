"""The user-content site's answer to a folder file's signed address (``folders.links``).

It serves the bytes of one notebook's one object to whoever holds the address:
as inert data (``application/octet-stream``, ``nosniff``, a sandboxing CSP) that
no page can run, and that browsers may keep by address (it never changes).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from folders.links import file_url_open
from notebooks.models import FolderBlob
from storage.blobs import StorageUnavailable, blob_open


@require_GET
def file_bytes(request: HttpRequest, token: str, name: str) -> HttpResponse | FileResponse:
    opened = file_url_open(token)
    if opened is None:
        raise Http404("This file address is not valid or has expired; reload the notebook.")
    notebook_id, sha256 = opened
    blob = (
        FolderBlob.objects.filter(
            notebook__public_id=notebook_id, notebook__trashed_at__isnull=True, sha256=sha256
        )
        .only("storage_key", "size")
        .first()
    )
    if blob is None:
        raise Http404("This file is no longer there.")
    try:
        stream = blob_open(key=blob.storage_key)
    except StorageUnavailable as error:
        return HttpResponse(error.message, status=503, content_type="text/plain")
    response = FileResponse(
        stream,
        content_type="application/octet-stream",
        as_attachment="download" in request.GET,
        filename=name,
    )
    response["Content-Length"] = str(blob.size)
    response["Cache-Control"] = "private, max-age=86400, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
