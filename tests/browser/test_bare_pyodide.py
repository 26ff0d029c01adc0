"""The deployment under the app: /play and Pyodide's files are served cross-origin isolated.

The bare page (server_urls.py) boots Pyodide from /static/pyodide/ with nothing of
the frontend: when it fails, the static files or their headers are wrong, not the app.
"""

from __future__ import annotations

import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.service import RunningService

_ISOLATION_HEADERS = {
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-embedder-policy": "require-corp",
    "cross-origin-resource-policy": "same-origin",
}


def _headers(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return {name.lower(): value for name, value in response.headers.items()}


def test_play_and_pyodide_files_carry_isolation_headers_and_mime_types(
    service: RunningService,
) -> None:
    for path in ("/play", "/static/pyodide/pyodide.mjs", "/static/pyodide/pyodide.asm.wasm"):
        headers = _headers(service.base_url + path)
        for name, value in _ISOLATION_HEADERS.items():
            assert headers.get(name) == value, f"{path}: {name} is {headers.get(name)!r}"
    assert _headers(service.base_url + "/static/pyodide/pyodide.mjs")["content-type"].startswith(
        "text/javascript"
    )
    assert _headers(service.base_url + "/static/pyodide/pyodide.asm.wasm")["content-type"] == (
        "application/wasm"
    )


def test_bare_pyodide_boots_from_the_static_files(page: Page) -> None:
    page.goto("/bare-pyodide/")

    result = page.locator("#result")
    expect(result).to_have_attribute("data-state", "done")
    expect(result).to_have_text("2")
    expect(result).to_have_attribute("data-worker-isolated", "true")


def test_play_is_cross_origin_isolated(page: Page) -> None:
    page.goto("/play")

    assert page.evaluate("crossOriginIsolated") is True
    assert page.evaluate("typeof SharedArrayBuffer") == "function"
