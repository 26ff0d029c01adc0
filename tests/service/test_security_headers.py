"""Cross-origin isolation and Content-Security-Policy on our pages (docs/security.md)."""

from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from pytest_django import Settings

from tests.factories import script_json
from tests.service.conftest import FakeDist

ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def csp(response: HttpResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = sources
    return directives


APP_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "worker-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "font-src": ["'self'", "data:"],
    "frame-src": ["'self'", "http://usercontent.testserver", "blob:", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}


def test_play_is_cross_origin_isolated_with_a_strict_policy(
    client: Client, usercontent: Client, fake_dist: FakeDist
) -> None:
    response = usercontent.get("/play")

    for name, value in ISOLATION.items():
        assert response[name] == value
    assert csp(response) == APP_POLICY
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_app_pages_never_allow_inline_or_eval_scripts(client: Client, fake_dist: FakeDist) -> None:
    for path in ["/", "/play", "/play?embed=true", "/play?mode=read", "/healthz"]:
        script_src = csp(client.get(path))["script-src"]
        assert "'unsafe-inline'" not in script_src, path
        assert "'unsafe-eval'" not in script_src, path


def test_embedded_play_may_be_framed_by_any_site(
    client: Client, usercontent: Client, fake_dist: FakeDist) -> None:
    response = usercontent.get("/play?embed=true")

    assert csp(response) == {**APP_POLICY, "frame-ancestors": ["*"]}
    assert not response.has_header("X-Frame-Options")
    # A cross-origin-isolated site may embed it too.
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_503_page_carries_the_same_headers(
    client: Client, usercontent: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.FRONTEND_DIST_DIR = tmp_path  # no build here

    response = usercontent.get("/play")

    assert response.status_code == 503
    for name, value in ISOLATION.items():
        assert response[name] == value
    assert csp(response) == APP_POLICY


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page"])
def test_every_response_is_isolated_and_has_a_policy(client: Client, path: str) -> None:
    response = client.get(path)

    for name, value in ISOLATION.items():
        assert response[name] == value
    assert csp(response)["frame-ancestors"] == ["'self'"]


def test_output_frame_is_its_own_opaque_origin_where_inline_scripts_run(
    client: Client, usercontent: Client) -> None:
    response = usercontent.get("/play/output-frame")

    assert response.status_code == 200
    policy = csp(response)
    # The sandbox directive applies even when the frame is opened on its own.
    assert "allow-scripts" in policy["sandbox"]
    assert "allow-same-origin" not in policy["sandbox"]
    assert "allow-top-navigation" not in policy["sandbox"]
    assert "allow-forms" not in policy["sandbox"]
    assert policy["default-src"] == ["'none'"]
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]
    # Framed by /play, which may be embedded anywhere.
    assert policy["frame-ancestors"] == ["*"]
    assert not response.has_header("X-Frame-Options")
    # A require-corp page may embed a credentialless document; outputs may then show
    # other sites' images, fetched without credentials.
    assert response["Cross-Origin-Embedder-Policy"] == "credentialless"
    assert response["Cache-Control"] == "public, max-age=3600"
    html = response.content.decode()
    assert "output-frame:render" in html
    assert "output-frame:ready" in html
    assert "output-frame:size" in html


def test_cookies_are_http_only_and_same_site_lax(settings: Settings) -> None:
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_the_carry_files_pop_up_is_not_isolated_so_the_app_page_keeps_hold_of_it(
    usercontent: Client, fake_dist: FakeDist
) -> None:
    response = usercontent.get("/play/carry-files")

    assert response.status_code == 200
    assert response["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert script_json(response) == {"page": "carry-files", "appOrigin": "http://testserver"}
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
