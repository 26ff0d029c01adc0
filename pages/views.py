"""Site-wide pages: the home page, the playground (/play) and its output frame, the health check.

The playground and its output frame live on the user-content site (``USERCONTENT_ORIGIN``,
see ``web.usercontent``); on the app's site ``/play`` redirects there. The
playground page only hosts the Vite build (docs/frontend-contract.md): it loads the
entry script and hands it its configuration as JSON. Security headers are explained in
docs/security.md.
"""

from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from notebooks.starter import starter_file
from pages.embeds import EmbedUnavailable, embed_get
from pages.frontend_build import FrontendBuild, FrontendBuildMissing, frontend_build_get
from pages.help_docs import HELP_PAGES, HelpPageNotFound, help_contents, help_page_get
from web.security_headers import (
    app_content_security_policy,
    output_frame_content_security_policy,
)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Say what Playground is; signed-in people go on to their notebooks."""
    if request.user.is_authenticated:
        return redirect("notebooks:dashboard")
    return render(request, "home.html", {"play_url": playground_url()})


def playground_url(query: str = "") -> str:
    """The playground's address on the user-content site."""
    return f"{settings.USERCONTENT_ORIGIN}/play" + (f"?{query}" if query else "")


@require_safe
def play_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """The app's /play: the playground runs on the user-content site, never next to sessions.

    Browsers keep the ``#code/...`` fragment across the redirect.
    """
    return HttpResponseRedirect(playground_url(request.META.get("QUERY_STRING", "")))


@require_safe
def usercontent_home(request: HttpRequest) -> HttpResponseRedirect:
    """The user-content site has no pages of its own: send people to the app."""
    return HttpResponseRedirect(settings.APP_ORIGIN + "/")


@require_safe
def help_page(request: HttpRequest, slug: str = HELP_PAGES[0].slug) -> HttpResponse:
    """A page of the user guide (``pages.help_docs``); /help/ is its first page."""
    if slug == HELP_PAGES[0].slug and request.path != "/help/":
        return redirect("help")
    try:
        rendered = help_page_get(slug)
    except HelpPageNotFound:
        raise Http404("There is no such page in the guide.") from None
    return render(
        request,
        "help.html",
        {"page": rendered.page, "body": rendered.html, "contents": help_contents()},
    )


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer that the process is up and serving requests (it checks no other service)."""
    return JsonResponse({"status": "ok"})


def _page_config(*, build: FrontendBuild, mode: str, embed: bool, hosted: bool) -> dict[str, Any]:
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
        "hosted": hosted,
        # Hosted pages take their notebook from, and report edits to, this origin only.
        "appOrigin": settings.APP_ORIGIN,
        # "Save to account" opens this page with the notebook in its #code/ fragment.
        "importUrl": settings.APP_ORIGIN
        + reverse("notebooks:save-from-play", urlconf=settings.ROOT_URLCONF),
        # The site the playground belongs to: its toolbar's brand links there.
        "siteUrl": settings.APP_ORIGIN + "/",
        # #code/ links decompress to at most this many UTF-16 code units, as on import.
        "linkMaxLength": settings.NOTEBOOK_MAX_BYTES,
        # What a first visit opens (the same cells as a new notebook in the account).
        "starter": starter_file(),
        # A local draft's files are held to the account's folder limits, so they can go there.
        "folderFileMaxBytes": settings.FOLDER_FILE_MAX_BYTES,
        "folderFilesMax": settings.FOLDER_FILES_MAX,
    }


@require_safe
@cache_control(no_cache=True)
def play(request: HttpRequest) -> HttpResponse:
    """The playground (user-content site).

    ``?mode=read`` shows the app view; ``?embed=true`` may be framed by any site;
    ``?hosted=1`` is the playground the app's own pages frame (the notebook editor,
    shared pages): it takes its notebook from the app's page and reports edits to it.
    """
    mode = "read" if request.GET.get("mode") == "read" else "edit"
    embed = request.GET.get("embed") == "true"
    hosted = request.GET.get("hosted") == "1"
    try:
        build = frontend_build_get()
    except FrontendBuildMissing as problem:
        response = render(
            request,
            "play_unavailable.html",
            {"problem": problem, "app_origin": settings.APP_ORIGIN},
            status=503,
        )
    else:
        config = _page_config(build=build, mode=mode, embed=embed, hosted=hosted)
        response = render(request, "play.html", {"build": build, "config": config})
    if embed or hosted:
        ancestors = ["*"] if embed else [settings.APP_ORIGIN]
        response["Content-Security-Policy"] = app_content_security_policy(
            frame_ancestors=ancestors
        )
        # A cross-origin-isolated page (ours, or an embedding site) may frame it.
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.xframe_options_exempt = True
    else:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_safe
@cache_control(private=True, no_cache=True)
def embed(request: HttpRequest, token: str) -> HttpResponse:
    """A shared notebook for other sites to embed (user-content site, ``/embed/<token>``).

    The share link's notebook and its folder open in the app view and run in the
    visitor's browser; any site may frame it. It has none of the app's cookies (this
    site has none), and the embedding page cannot reach into it (another origin).
    A dead link shows why, in the frame.
    """
    try:
        embedded = embed_get(token=token)
    except EmbedUnavailable as problem:
        # Plain text: this site has none of the app's pages to link to.
        response = HttpResponse(problem.message + "\n", status=problem.status,
                                content_type="text/plain; charset=utf-8")
    else:
        try:
            build = frontend_build_get()
        except FrontendBuildMissing as problem:
            return render(request, "play_unavailable.html",
                          {"problem": problem, "app_origin": settings.APP_ORIGIN}, status=503)
        config = _page_config(build=build, mode="read", embed=True, hosted=False)
        config["starter"] = embedded.notebook
        config["site"] = {"title": embedded.title, "notebookUrl": None,
                          "files": embedded.files, "showCode": embedded.show_code}
        response = render(request, "play.html", {"build": build, "config": config})
    response["Content-Security-Policy"] = app_content_security_policy(frame_ancestors=["*"])
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.xframe_options_exempt = True
    return response


@require_safe
@cache_control(private=True, no_cache=True)
def carry_files(request: HttpRequest) -> HttpResponse:
    """Hands a /play draft's files to the app's "Save to account" page (user-content site).

    The app's page opens this as a pop-up when its Save is clicked; being on the
    playground's site, it reads the draft's files from this browser's IndexedDB and
    posts them to its opener, on the app's origin only (docs/folders.md, "Files in
    /play"). Both /play and the app's pages are isolated (COOP ``same-origin``), which
    cuts any window.open link between the two sites; this page is not, so that the
    app's page (``same-origin-allow-popups``) keeps hold of it. It runs no notebook code.
    """
    from pages.host_page import host_entry  # host_page imports this module

    try:
        context: dict[str, Any] = {
            "host_entry": host_entry(),
            "host_config": {"page": "carry-files", "appOrigin": settings.APP_ORIGIN},
        }
    except FrontendBuildMissing:
        context = {}
    response = render(request, "carry_files.html", context)
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
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


def usercontent_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 on the user-content site: plain text, pointing to the app."""
    return HttpResponse(
        f"Not found. The user-content site only serves the playground; Playground itself is "
        f"at {settings.APP_ORIGIN}/\n",
        status=404,
        content_type="text/plain; charset=utf-8",
    )
