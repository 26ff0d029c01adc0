"""HTTP for the wheel proxy: parse the URL, call one selector or service, shape the answer.

Errors answer JSON ``{"error": "<message>"}`` with the status the error carries, and
``Retry-After`` when it gives one. The client charged for upstream requests is
``REMOTE_ADDR``, which ``web.client_address`` sets to the client's own address
when the request comes through a trusted proxy.
"""

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from packages.errors import PackageError
from packages.selectors import project_index_get
from packages.services import wheel_fetch
from packages.upstream import JSON_TYPE

# Wheel files never change under one name (see packages.services).
_FOREVER = "public, max-age=31536000, immutable"


def _error(error: PackageError) -> JsonResponse:
    response = JsonResponse({"error": error.message}, status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _client(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


@require_safe
def project_index(request: HttpRequest, project: str) -> HttpResponse:
    """PEP 691 JSON page of a project's pure-Python wheels."""
    try:
        index = project_index_get(project=project, client=_client(request))
    except PackageError as error:
        return _error(error)
    response = JsonResponse(index.page, content_type=JSON_TYPE)
    # A stale page (upstream could not be asked) should be asked for again soon.
    max_age = settings.WHEELS_INDEX_CACHE_SECONDS if index.is_fresh else 0
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


@require_safe
def wheel_file(request: HttpRequest, filename: str) -> FileResponse | JsonResponse:
    """One wheel, from the cache (downloaded from upstream the first time)."""
    try:
        wheel = wheel_fetch(filename=filename, client=_client(request))
    except PackageError as error:
        return _error(error)
    response = FileResponse(wheel.file, content_type="application/zip", filename=wheel.path.name)
    response["Cache-Control"] = _FOREVER
    if wheel.sha256:
        response["ETag"] = f'"{wheel.sha256}"'
    return response
