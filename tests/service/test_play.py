"""The playground page: the Vite entry, its JSON config, and the 503 page without a build."""

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from notebooks.starter import starter_file
from tests.service.conftest import (
    ASSETS,
    CHUNK,
    CHUNK_CSS,
    ENTRY_CSS,
    ENTRY_SCRIPT,
    MANIFEST,
    FakeDist,
)

_CONFIG = re.compile(
    r'<script id="playground-config" type="application/json">(.*?)</script>', re.DOTALL
)


def _config(html: str) -> dict[str, object]:
    match = _CONFIG.search(html)
    assert match is not None, html
    return json.loads(match.group(1))


def test_play_loads_the_vite_entry_with_its_css_and_chunks(
    client: Client, usercontent: Client, fake_dist: FakeDist
) -> None:
    response = usercontent.get("/play")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<script type="module" src="/static/{ENTRY_SCRIPT}"></script>' in html
    assert f'<link rel="stylesheet" href="/static/{ENTRY_CSS}">' in html
    assert f'<link rel="stylesheet" href="/static/{CHUNK_CSS}">' in html
    assert f'<link rel="modulepreload" href="/static/{CHUNK}">' in html
    assert '<div id="app"></div>' in html
    assert response["Cache-Control"] == "no-cache"


def test_play_embeds_the_contract_config(
    client: Client, usercontent: Client, fake_dist: FakeDist) -> None:
    config = _config(usercontent.get("/play").content.decode())

    assert config == {
        "staticUrl": "/static/",
        "assets": ASSETS,
        "wheelIndexUrl": "/wheels/simple/{package_name}/",
        "pyodidePackagesUrl": None,
        "outputFrameUrl": "/play/output-frame",
        "mode": "edit",
        "embed": False,
        "hosted": False,
        "appOrigin": "http://testserver",
        "importUrl": "http://testserver/notebooks/save-from-playground",
        "siteUrl": "http://testserver/",
        "linkMaxLength": 2 * 1024 * 1024,
        "starter": starter_file(),
        # A /play draft's files are held to the account's folder limits.
        "folderFileMaxBytes": 100 * 1000 * 1000,
        "folderFilesMax": 200,
    }


@pytest.mark.parametrize(
    ("query", "mode", "embed"),
    [
        ("", "edit", False),
        ("?mode=read", "read", False),
        ("?mode=edit", "edit", False),
        ("?mode=anything", "edit", False),
        ("?embed=true", "edit", True),
        ("?embed=false", "edit", False),
        ("?mode=read&embed=true", "read", True),
    ],
)
def test_mode_and_embed_come_from_the_query_string(
    client: Client, usercontent: Client, fake_dist: FakeDist, query: str, mode: str, embed: bool
) -> None:
    config = _config(usercontent.get(f"/play{query}").content.decode())

    assert (config["mode"], config["embed"]) == (mode, embed)


def test_pyodide_packages_url_comes_from_the_setting(
    client: Client, usercontent: Client, fake_dist: FakeDist, settings: Settings
) -> None:
    settings.PYODIDE_PACKAGES_URL = "https://packages.example.org/pyodide/v314/full/"

    response = usercontent.get("/play")

    assert _config(response.content.decode())["pyodidePackagesUrl"] == (
        "https://packages.example.org/pyodide/v314/full/"
    )
    # The worker may fetch packages from there.
    assert "connect-src 'self' https://packages.example.org;" in response["Content-Security-Policy"]


def test_link_max_length_is_the_notebook_limit_of_the_import(
    client: Client, usercontent: Client, fake_dist: FakeDist, settings: Settings
) -> None:
    """The page refuses a #code/ link exactly when the app's import would."""
    settings.NOTEBOOK_MAX_BYTES = 12_345

    config = _config(usercontent.get("/play?hosted=1").content.decode())

    assert config["linkMaxLength"] == 12_345


def test_config_json_cannot_close_its_script_element(
    client: Client, usercontent: Client, fake_dist: FakeDist) -> None:
    hostile = "</script><script>alert(1)</script><!--"
    (fake_dist.root / "playground-assets.json").write_text(json.dumps({**ASSETS, "x": hostile}))

    html = usercontent.get("/play").content.decode()

    assert "<script>alert(1)" not in html
    assert _config(html)["assets"]["x"] == hostile


def test_manifest_is_read_once_without_debug_and_every_time_with_it(
    client: Client, usercontent: Client, fake_dist: FakeDist, settings: Settings
) -> None:
    usercontent.get("/play")
    changed = json.loads(json.dumps(MANIFEST))
    changed["src/main.ts"]["file"] = "assets/main-NewHash1.js"
    fake_dist.write_manifest(changed)

    assert "main-NewHash1.js" not in usercontent.get("/play").content.decode()

    settings.DEBUG = True
    assert "main-NewHash1.js" in usercontent.get("/play").content.decode()


def test_home_page_links_to_the_playground_on_the_user_content_site(client: Client) -> None:
    assert 'href="http://usercontent.testserver/play"' in client.get("/").content.decode()


def test_play_on_the_app_site_redirects_to_the_user_content_site(client: Client) -> None:
    response = client.get("/play?mode=read&embed=true")

    assert response.status_code == 302
    assert response["Location"] == "http://usercontent.testserver/play?mode=read&embed=true"


def test_user_content_site_serves_no_app_pages(usercontent: Client) -> None:
    for path in ["/admin/", "/accounts/login/", "/api/openapi.json", "/notebooks/"]:
        assert usercontent.get(path).status_code == 404, path
    assert usercontent.get("/")["Location"] == "http://testserver/"


def test_user_content_site_neither_reads_nor_sets_cookies(
    usercontent: Client, fake_dist: FakeDist
) -> None:
    usercontent.cookies["sessionid"] = "stolen"
    usercontent.cookies["csrftoken"] = "x"

    response = usercontent.get("/play")

    assert response.status_code == 200
    assert not response.cookies
    assert response.wsgi_request.COOKIES == {}


# --- without a build --------------------------------------------------------


def test_missing_build_answers_503_saying_how_to_build(
    client: Client, usercontent: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.FRONTEND_DIST_DIR = tmp_path / "no-dist"

    response = usercontent.get("/play")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "make frontend-build" in html
    assert ".vite/manifest.json does not exist" in html
    assert "playground-config" not in html


def test_build_without_assets_file_answers_503_naming_it(
    client: Client, usercontent: Client, fake_dist: FakeDist
) -> None:
    (fake_dist.root / "playground-assets.json").unlink()

    response = usercontent.get("/play")

    assert response.status_code == 503
    assert "playground-assets.json does not exist" in response.content.decode()


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ({"src/other.ts": {"file": "assets/other.js"}}, "has no entry &#x27;src/main.ts&#x27;"),
        (["not", "a", "manifest"], "is not a Vite manifest"),
    ],
)
def test_unusable_manifest_answers_503(
    client: Client, usercontent: Client, fake_dist: FakeDist, manifest: object, problem: str
) -> None:
    fake_dist.write_manifest(manifest)

    response = usercontent.get("/play")

    assert response.status_code == 503
    assert problem in response.content.decode()


def test_unreadable_manifest_answers_503(
    client: Client, usercontent: Client, fake_dist: FakeDist) -> None:
    (fake_dist.root / ".vite" / "manifest.json").write_text("{ not json")

    response = usercontent.get("/play")

    assert response.status_code == 503
    assert "could not be read" in response.content.decode()


def test_play_refuses_writes(
    client: Client, usercontent: Client, fake_dist: FakeDist) -> None:
    assert usercontent.post("/play").status_code == 405
