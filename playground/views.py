"""Site-wide pages: the home page, the playground (/play) and its output frame, the health check.

The playground page only hosts the Vite build (docs/frontend-contract.md): it loads the
entry script and hands it its configuration as JSON. Security headers are explained in
docs/security.md.
"""

from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from playground.frontend_build import FrontendBuild, FrontendBuildMissing, frontend_build_get
from playground.security_headers import (
    app_content_security_policy,
    output_frame_content_security_policy,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Say what Playground is."""
    return render(request, "home.html")


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process is up and serving requests (it checks no other service)."""
    return JsonResponse({"status": "ok"})


def _page_config(*, build: FrontendBuild, mode: str, embed: bool) -> dict[str, Any]:
    """The JSON the frontend reads from #playground-config (docs/frontend-contract.md)."""
    return {
        "staticUrl": static(""),
        "assets": build.assets,
        # micropip's placeholder, kept unescaped.
        "wheelIndexUrl": unquote(
            reverse("packages:project-index", kwargs={"project": "{package_name}"})
        ),
        "pyodidePackagesUrl": settings.PYODIDE_PACKAGES_URL,
        "outputFrameUrl": reverse("output-frame"),
        "mode": mode,
        "embed": embed,
    }


@require_safe
@cache_control(no_cache=True)
def play(request: HttpRequest) -> HttpResponse:
    """The playground: ``?mode=read`` shows the app view, ``?embed=true`` may be framed anywhere."""
    mode = "read" if request.GET.get("mode") == "read" else "edit"
    embed = request.GET.get("embed") == "true"
    try:
        build = frontend_build_get()
    except FrontendBuildMissing as problem:
        response = render(request, "play_unavailable.html", {"problem": problem}, status=503)
    else:
        config = _page_config(build=build, mode=mode, embed=embed)
        response = render(request, "play.html", {"build": build, "config": config})
    if embed:
        response["Content-Security-Policy"] = app_content_security_policy(embeddable=True)
        # Lets sites that are cross-origin isolated themselves embed the page.
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.xframe_options_exempt = True
    else:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_safe
@xframe_options_exempt
@cache_control(public=True, max_age=3600)
def output_frame(request: HttpRequest) -> HttpResponse:
    """The document rich output renders in: an opaque origin whose own scripts may run.

    The page posts it the output's HTML; see docs/frontend-contract.md for the messages.
    """
    response = render(request, "output_frame.html")
    response["Content-Security-Policy"] = output_frame_content_security_policy()
    # Outputs may show images from other sites without CORP headers; credentials are
    # never sent for them. A require-corp page may embed a credentialless frame.
    response["Cross-Origin-Embedder-Policy"] = "credentialless"
    return response
