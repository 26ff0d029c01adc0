"""What the app's notebook pages hand their script: the framed playground and the notebook.

The notebook editor and the shared/public notebook pages live on the app's site but
run nothing of the notebook themselves: they frame the playground from the
user-content site (``/play?hosted=1``) and pass it the notebook by ``postMessage``
(docs/frontend-contract.md, "Hosted playground"). Their script is the Vite entry
``src/host/main.ts``; its configuration goes into ``#host-config`` as JSON.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token

from playground.frontend_build import EntryFiles, FrontendBuildMissing, frontend_build_get
from playground.views import playground_url


def host_entry() -> EntryFiles:
    """The host script of the current build, or ``FrontendBuildMissing``."""
    build = frontend_build_get()
    if build.host is None:
        raise FrontendBuildMissing(
            "The frontend build has no src/host/main.ts entry.", missing="src/host/main.ts"
        )
    return build.host


def host_page_context(
    *, request: HttpRequest, page: str, mode: str, notebook: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """Template context: ``host`` (the script's files) and ``host_config`` (its JSON)."""
    query = "hosted=1" + ("&mode=read" if mode == "read" else "")
    return {
        "host": host_entry(),
        "host_config": {
            "page": page,
            "frameUrl": playground_url(query),
            "frameOrigin": settings.USERCONTENT_ORIGIN,
            "csrfToken": get_token(request),
            "notebook": notebook,
            **extra,
        },
    }
