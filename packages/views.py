"""HTTP for the wheel proxy: parse the URL, call one selector or service, shape the answer.

Errors answer JSON ``{"error": "<message>"}`` with the status the error carries.
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
    return JsonResponse({"error": error.message}, status=error.status)


@require_safe
def project_index(request: HttpRequest, project: str) -> HttpResponse:
    """PEP 691 JSON page of a project's pure-Python wheels."""
    try:
        page = project_index_get(project=project)
    except PackageError as error:
        return _error(error)
    response = JsonResponse(page, content_type=JSON_TYPE)
    response["Cache-Control"] = f"public, max-age={settings.WHEELS_INDEX_CACHE_SECONDS}"
    return response


@require_safe
def wheel_file(request: HttpRequest, filename: str) -> HttpResponse:
    """One wheel, from the cache (downloaded from upstream the first time)."""
    try:
        wheel = wheel_fetch(filename=filename)
    except PackageError as error:
        return _error(error)
    response = FileResponse(wheel.path.open("rb"), content_type="application/zip")
    response["Cache-Control"] = _FOREVER
    if wheel.sha256:
        response["ETag"] = f'"{wheel.sha256}"'
    return response
