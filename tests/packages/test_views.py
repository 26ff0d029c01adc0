"""The /wheels/ proxy over HTTP, against a real upstream index serving wheels built here."""

import json
import socket
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from tests.packages.upstream_index import UpstreamIndex, sha256, wheel_bytes

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def _point_at(settings: Settings, index: UpstreamIndex) -> None:
    settings.WHEELS_UPSTREAM_INDEX = index.url


def _cache_contents(wheel_cache: Path) -> list[str]:
    return sorted(path.name for path in wheel_cache.iterdir()) if wheel_cache.exists() else []


# --- the index page -----------------------------------------------------------


def test_index_lists_only_pure_python_wheels_that_are_not_yanked(
    client: Client, settings: Settings, upstream: UpstreamIndex
) -> None:
    _point_at(settings, upstream)
    upstream.add_wheel("demo", "demo-1.0-py2.py3-none-any.whl")
    upstream.add_wheel("demo", "demo-1.1-py3-none-any.whl", requires_python=">=3.9")
    upstream.add_wheel("demo", "demo-1.2-py312-none-any.whl")
    upstream.add_wheel("demo", "demo-1.2-cp313-cp313-manylinux_2_28_x86_64.whl")
    upstream.add_wheel("demo", "demo-1.2-cp314-cp314-pyodide_2026_0_wasm32.whl")
    upstream.add_wheel("demo", "demo-1.3-py3-none-any.whl", yanked=True)
    upstream.add_wheel("demo", "demo-1.2.tar.gz", data=b"an sdist")

    response = client.get("/wheels/simple/demo/")

    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    page = response.json()
    assert page["meta"]["api-version"].startswith("1.")
    assert page["name"] == "demo"
    assert [file["filename"] for file in page["files"]] == [
        "demo-1.0-py2.py3-none-any.whl",
        "demo-1.1-py3-none-any.whl",
        "demo-1.2-py312-none-any.whl",
    ]
    assert page["versions"] == ["1.0", "1.1", "1.2"]


def test_index_rewrites_urls_to_this_site_and_keeps_hashes(
    client: Client, settings: Settings, upstream: UpstreamIndex
) -> None:
    _point_at(settings, upstream)
    body = upstream.add_wheel("demo", "demo-1.1-py3-none-any.whl", requires_python=">=3.9")

    file = client.get("/wheels/simple/demo/").json()["files"][0]

    assert file["url"] == "/wheels/files/demo-1.1-py3-none-any.whl"
    assert file["hashes"] == {"sha256": sha256(body)}
    assert file["requires-python"] == ">=3.9"


def test_index_normalizes_the_project_name(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.add_wheel("typing-extensions", "typing_extensions-4.16.0-py3-none-any.whl")

    response = client.get("/wheels/simple/Typing_Extensions/")

    assert response.status_code == 200
    assert response.json()["name"] == "typing-extensions"
    assert json_upstream.requests == {"/simple/typing-extensions/": 1}


def test_index_is_cached_briefly(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")

    first = client.get("/wheels/simple/demo/")
    second = client.get("/wheels/simple/demo/")

    assert first.json() == second.json()
    assert json_upstream.page_requests() == 1
    assert second["Cache-Control"] == f"public, max-age={settings.WHEELS_INDEX_CACHE_SECONDS}"


def test_unknown_project_is_404_with_a_message(
    client: Client, settings: Settings, upstream: UpstreamIndex
) -> None:
    _point_at(settings, upstream)

    response = client.get("/wheels/simple/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "no package named 'no-such-thing'" in response.json()["error"]


def test_project_without_pure_python_wheel_is_404_saying_so(
    client: Client, settings: Settings, upstream: UpstreamIndex
) -> None:
    _point_at(settings, upstream)
    upstream.add_wheel("numpy", "numpy-2.5.5-cp313-cp313-manylinux_2_28_x86_64.whl")
    upstream.add_wheel("numpy", "numpy-2.5.5.tar.gz", data=b"an sdist")

    response = client.get("/wheels/simple/numpy/")

    assert response.status_code == 404
    assert response.json() == {
        "error": "numpy has no pure-Python wheel, so it cannot be installed in the browser"
    }


def test_invalid_project_name_is_refused_without_asking_upstream(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)

    for name in ["..", ".env", "a%20b", "%2e%2e"]:
        response = client.get(f"/wheels/simple/{name}/")
        assert response.status_code == 400, name
        assert "not a valid package name" in response.json()["error"]
    assert json_upstream.requests == {}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_upstream_down_is_502_with_a_message(client: Client, settings: Settings) -> None:
    settings.WHEELS_UPSTREAM_INDEX = f"http://127.0.0.1:{_closed_port()}/simple/"

    index = client.get("/wheels/simple/demo/")
    file = client.get("/wheels/files/demo-1.0-py3-none-any.whl")

    for response in (index, file):
        assert response.status_code == 502
        message = response.json()["error"]
        assert "could not be reached" in message
        assert "Try again later" in message


def test_upstream_error_is_502(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.fail_with = 500

    response = client.get("/wheels/simple/demo/")

    assert response.status_code == 502
    assert "answered 500" in response.json()["error"]


def test_upstream_page_that_is_not_an_index_is_502(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    # The files URL answers application/octet-stream: not a project page.
    settings.WHEELS_UPSTREAM_INDEX = json_upstream.url.replace("/simple/", "/files/")
    json_upstream.files["demo/"] = b"\x00\x01"

    response = client.get("/wheels/simple/demo/")

    assert response.status_code == 502
    assert "not a simple index page" in response.json()["error"]


# --- the files --------------------------------------------------------------


def test_first_download_caches_and_later_ones_never_ask_upstream(
    client: Client, settings: Settings, upstream: UpstreamIndex, wheel_cache: Path
) -> None:
    _point_at(settings, upstream)
    body = upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")
    url = client.get("/wheels/simple/demo/").json()["files"][0]["url"]

    first = client.get(url)
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == body
    assert upstream.file_requests() == 1
    assert (wheel_cache / "demo-1.0-py3-none-any.whl").read_bytes() == body
    record = json.loads((wheel_cache / "demo-1.0-py3-none-any.whl.json").read_text())
    assert record["sha256"] == sha256(body)
    assert record["url"].endswith("/files/demo-1.0-py3-none-any.whl")

    upstream.fail_with = 500  # would turn any further upstream request into an error
    settings.WHEELS_INDEX_CACHE_SECONDS = 0
    second = client.get(url)

    assert second.status_code == 200
    assert b"".join(second.streaming_content) == body
    assert upstream.file_requests() == 1
    assert second["Content-Type"] == "application/zip"
    assert second["Cache-Control"] == "public, max-age=31536000, immutable"
    assert second["ETag"] == f'"{sha256(body)}"'


def test_download_without_visiting_the_index_first(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    body = json_upstream.add_wheel("typing-extensions", "typing_extensions-4.16.0-py3-none-any.whl")

    response = client.get("/wheels/files/typing_extensions-4.16.0-py3-none-any.whl")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == body
    assert json_upstream.requests["/simple/typing-extensions/"] == 1


def test_hash_mismatch_is_refused_and_nothing_is_cached(
    client: Client, settings: Settings, upstream: UpstreamIndex, wheel_cache: Path
) -> None:
    _point_at(settings, upstream)
    upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")
    upstream.files["demo-1.0-py3-none-any.whl"] = wheel_bytes(
        "demo-1.0-py3-none-any.whl", padding=10
    )  # not the bytes the page's hash is for

    response = client.get("/wheels/files/demo-1.0-py3-none-any.whl")

    assert response.status_code == 502
    assert "does not match its published sha256 hash" in response.json()["error"]
    assert _cache_contents(wheel_cache) == []


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_size_limit_is_refused_with_a_clear_message_and_nothing_is_cached(
    client: Client,
    settings: Settings,
    json_upstream: UpstreamIndex,
    wheel_cache: Path,
    declared: bool,
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.send_content_length = declared
    body = json_upstream.add_wheel(
        "big", "big-1.0-py3-none-any.whl", data=wheel_bytes("big-1.0-py3-none-any.whl", padding=300_000)
    )
    settings.WHEELS_MAX_BYTES = len(body) - 1

    response = client.get("/wheels/files/big-1.0-py3-none-any.whl")

    assert response.status_code == 413
    message = response.json()["error"]
    assert "big-1.0-py3-none-any.whl is larger than the" in message
    assert "MB limit" in message
    assert _cache_contents(wheel_cache) == []


def test_file_at_the_size_limit_is_kept(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    body = json_upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")
    settings.WHEELS_MAX_BYTES = len(body)

    assert client.get("/wheels/files/demo-1.0-py3-none-any.whl").status_code == 200


def test_file_the_index_does_not_list_is_404(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")

    response = client.get("/wheels/files/demo-9.9-py3-none-any.whl")

    assert response.status_code == 404
    assert "lists no installable file named demo-9.9-py3-none-any.whl" in response.json()["error"]
    assert json_upstream.file_requests() == 0


def test_compiled_wheel_is_not_proxied(
    client: Client, settings: Settings, json_upstream: UpstreamIndex
) -> None:
    _point_at(settings, json_upstream)
    name = "numpy-2.5.5-cp313-cp313-manylinux_2_28_x86_64.whl"
    json_upstream.add_wheel("numpy", name)

    response = client.get(f"/wheels/files/{name}")

    assert response.status_code == 404
    assert "not a pure-Python wheel" in response.json()["error"]
    assert json_upstream.requests == {}


@pytest.mark.parametrize(
    "path",
    [
        "/wheels/files/..%2F..%2Fplayground%2Fsettings%2Fbase.py",
        "/wheels/files/../../etc/passwd",
        "/wheels/files/%2e%2e%2fdemo-1.0-py3-none-any.whl",
        "/wheels/files/sub/demo-1.0-py3-none-any.whl",
        "/wheels/files/..%5Cdemo-1.0-py3-none-any.whl",
        "/wheels/files/.demo-1.0-py3-none-any.whl",
        "/wheels/files/demo-1.0-py3-none-any.whl.json",
        "/wheels/files/demo-1.0-py3-none-any.whl%00.txt",
    ],
)
def test_path_traversal_and_other_names_are_refused(
    client: Client,
    settings: Settings,
    json_upstream: UpstreamIndex,
    wheel_cache: Path,
    path: str,
) -> None:
    _point_at(settings, json_upstream)
    json_upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")
    wheel_cache.mkdir()
    (wheel_cache / "demo-1.0-py3-none-any.whl.json").write_text('{"secret": true}')

    response = client.get(path)

    assert response.status_code in {400, 404}, response.content
    assert b"secret" not in response.content
    assert json_upstream.requests == {}


def test_index_pointing_at_a_local_file_is_refused(
    client: Client, settings: Settings, json_upstream: UpstreamIndex, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    _point_at(settings, json_upstream)
    json_upstream.add_wheel("demo", "demo-1.0-py3-none-any.whl")
    json_upstream.projects["demo"][0].url = secret.as_uri()
    json_upstream.projects["demo"][0].sha256 = None

    response = client.get("/wheels/files/demo-1.0-py3-none-any.whl")

    assert response.status_code == 502
    assert "only http and https" in response.json()["error"]
    assert b"top secret" not in response.content


def test_the_apps_site_does_not_serve_the_proxy(proxy_settings: Settings) -> None:
    response = Client().get("/wheels/simple/six/")

    assert response.status_code == 404
