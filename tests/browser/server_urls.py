"""The user-content site's URLs plus ``/bare-pyodide/``: a page that only boots Pyodide
and runs ``1+1``.

bench/startup.py times it as the floor for /play (same server, same origin, the
same ``/static/pyodide/`` files), and test_bare_pyodide.py checks it boots, which
tells a broken Pyodide deployment apart from a broken frontend. server_settings.py
makes this the ``USERCONTENT_URLCONF``.
"""

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from playground.usercontent_urls import handler404  # noqa: F401 - used by Django
from playground.usercontent_urls import urlpatterns as site_urlpatterns

_BARE_DIR = Path(__file__).resolve().parent / "bare_pyodide"
_BARE_FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "main.js": ("main.js", "text/javascript; charset=utf-8"),
    "worker.mjs": ("worker.mjs", "text/javascript; charset=utf-8"),
}


@require_safe
def bare_pyodide(request: HttpRequest, name: str = "") -> HttpResponse:
    """Serve one file of the bare page, cross-origin isolated like /play."""
    if name not in _BARE_FILES:
        raise Http404(name)
    filename, content_type = _BARE_FILES[name]
    response = HttpResponse((_BARE_DIR / filename).read_bytes(), content_type=content_type)
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    response["Cross-Origin-Embedder-Policy"] = "require-corp"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-cache"
    return response


urlpatterns = [
    *site_urlpatterns,
    path("bare-pyodide/", bare_pyodide),
    path("bare-pyodide/<str:name>", bare_pyodide),
]
