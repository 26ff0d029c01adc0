"""What the app's notebook pages hand their script: the framed playground and the notebook.

The notebook editor and the shared/public notebook pages live on the app's site but
run nothing of the notebook themselves: they frame the playground from the
user-content site (``/play?hosted=1``) and pass it the notebook by ``postMessage``
(docs/frontend-contract.md, "Hosted playground"). Their script is the Vite entry
``src/host/main.ts``; its configuration goes into ``#host-config`` as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from pages.frontend_build import EntryFiles, FrontendBuildMissing, frontend_build_get
from pages.views import playground_url


def host_entry() -> EntryFiles:
    """The host script of the current build, or ``FrontendBuildMissing``."""
    build = frontend_build_get()
    if build.host is None:
        raise FrontendBuildMissing(
            "The frontend build has no src/host/main.ts entry.", missing="src/host/main.ts"
        )
    return build.host


def host_script_context() -> dict[str, Any]:
    """``host_entry`` for ``host_script.html``: the app pages' script, which adds what
    needs a script (Copy buttons) to a page that works without it; nothing when the
    frontend is not built, so the page still renders."""
    try:
        return {"host_entry": host_entry()}
    except FrontendBuildMissing:
        return {}


# What Django's json_script escapes, so that no text in the JSON can end the element.
_JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def json_script_element(value: Any, element_id: str) -> SafeString:
    """The same ``<script type="application/json">`` element as Django's ``json_script``.

    Django escapes with ``str.translate``, which maps characters to longer replacements
    one at a time: 3-4 ms for a 15 KB notebook, more than a third of the shared page
    (bench/http.py). ``str.replace`` does the same escapes in a small fraction of that.
    """
    text = json.dumps(value, cls=DjangoJSONEncoder)
    for character, escape in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escape)
    return format_html(
        '<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text)
    )


def host_page_context(
    *,
    request: HttpRequest,
    page: str,
    mode: str,
    notebook: dict[str, Any],
    csrf: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Template context: ``host`` (the script's files), ``host_config`` (its configuration)
    and ``host_config_script`` (that configuration as the page's ``#host-config`` element)."""
    query = "hosted=1" + ("&mode=read" if mode == "read" else "")
    config = {
        "page": page,
        "frameUrl": playground_url(query),
        "frameOrigin": settings.USERCONTENT_ORIGIN,
        # Pages whose script makes no API call (an anonymous viewer) need no token.
        "csrfToken": get_token(request) if csrf else "",
        "notebook": notebook,
        **extra,
    }
    return {
        "host": host_entry(),
        "host_config": config,
        "host_config_script": json_script_element(config, "host-config"),
    }
