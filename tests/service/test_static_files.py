"""/static/ through WhiteNoise: MIME types, caching, gzip variants and isolation headers.

Both ways the service serves static files are exercised: development (straight from
the build folder through the finders, re-read on each request) and production
(``collectstatic`` into STATIC_ROOT with compressed variants, indexed at start-up).
"""

import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from tests.service.conftest import ENTRY_SCRIPT, SNAPSHOT, WORKER, FakeDist

FOREVER = "max-age=315360000, public, immutable"


def _collect_for_production(settings: Settings, dist: Path, static_root: Path) -> None:
    """What a deploy does: collectstatic with compression, then serve STATIC_ROOT only."""
    settings.STATICFILES_DIRS = [dist]
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False


@pytest.fixture(params=["development", "production"])
def served_dist(
    request: pytest.FixtureRequest, fake_dist: FakeDist, settings: Settings, tmp_path: Path
) -> FakeDist:
    """The fake build served the development way, then the production way."""
    if request.param == "development":
        settings.STATICFILES_DIRS = [fake_dist.root]
        settings.WHITENOISE_USE_FINDERS = True
        settings.WHITENOISE_AUTOREFRESH = True
    else:
        _collect_for_production(settings, fake_dist.root, tmp_path / "collected")
    return fake_dist


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        (ENTRY_SCRIPT, 'text/javascript; charset="utf-8"'),
        ("pyodide/pyodide.mjs", 'text/javascript; charset="utf-8"'),
        ("pyodide/pyodide.asm.mjs", 'text/javascript; charset="utf-8"'),
        ("pyodide/pyodide.asm.wasm", "application/wasm"),
        ("pyodide/python_stdlib.zip", "application/zip"),
        ("pyodide/pyodide-lock.json", "application/json"),
        ("wheels/micropip-0.11.1-py3-none-any.whl", "application/zip"),
        (SNAPSHOT, "application/octet-stream"),
        ("playground-assets.json", "application/json"),
    ],
)
def test_mime_types(client: Client, served_dist: FakeDist, name: str, content_type: str) -> None:
    response = client.get(f"/static/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_static_files_are_cross_origin_isolated(client: Client, served_dist: FakeDist) -> None:
    for name in [ENTRY_SCRIPT, WORKER, "pyodide/pyodide.asm.wasm", SNAPSHOT]:
        response = client.get(f"/static/{name}")
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Cross-Origin-Embedder-Policy"] == "require-corp"
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        # Same-origin use only.
        assert not response.has_header("Access-Control-Allow-Origin")


def test_hashed_assets_and_the_snapshot_are_cached_forever(
    client: Client, served_dist: FakeDist
) -> None:
    for name in [ENTRY_SCRIPT, WORKER, SNAPSHOT]:
        assert client.get(f"/static/{name}")["Cache-Control"] == FOREVER, name


def test_files_with_stable_names_are_revalidated_soon(
    client: Client, served_dist: FakeDist, settings: Settings
) -> None:
    for name in [
        "pyodide/pyodide.asm.wasm",
        "pyodide/pyodide.mjs",
        "wheels/playground_runtime-0.1.0-py3-none-any.whl",
        "playground-assets.json",
    ]:
        cache_control = client.get(f"/static/{name}")["Cache-Control"]
        assert cache_control == f"max-age={settings.WHITENOISE_MAX_AGE}, public", name
        assert settings.WHITENOISE_MAX_AGE <= 60


def test_snapshot_is_sent_gzipped_to_browsers_that_accept_it(
    client: Client, served_dist: FakeDist
) -> None:
    zipped = client.get(f"/static/{SNAPSHOT}", headers={"Accept-Encoding": "gzip, deflate, br"})
    plain = client.get(f"/static/{SNAPSHOT}")

    assert zipped["Content-Encoding"] == "gzip"
    assert zipped["Content-Type"] == "application/octet-stream"
    assert zipped["Vary"] == "Accept-Encoding"
    assert gzip.decompress(b"".join(zipped.streaming_content)) == served_dist.snapshot_bytes
    assert int(zipped["Content-Length"]) < len(served_dist.snapshot_bytes)
    assert not plain.has_header("Content-Encoding")
    assert b"".join(plain.streaming_content) == served_dist.snapshot_bytes


def test_production_compresses_scripts_and_wasm_at_collectstatic(
    client: Client, fake_dist: FakeDist, settings: Settings, tmp_path: Path
) -> None:
    collected = tmp_path / "collected"
    _collect_for_production(settings, fake_dist.root, collected)

    for name in [ENTRY_SCRIPT, "pyodide/pyodide.mjs", "pyodide/pyodide.asm.wasm"]:
        response = client.get(f"/static/{name}", headers={"Accept-Encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip", name
    # The build's own maximum-compression snapshot is kept, and zips are left alone.
    snapshot_gz = SNAPSHOT + ".gz"
    assert (collected / snapshot_gz).read_bytes() == (fake_dist.root / snapshot_gz).read_bytes()
    assert not list(collected.glob("wheels/*.gz"))
    # The manifest is for the server; collectstatic leaves dot-folders out.
    assert client.get("/static/.vite/manifest.json").status_code == 404


def test_a_missing_static_file_is_404(client: Client, served_dist: FakeDist) -> None:
    assert client.get("/static/assets/nothing-12345678.js").status_code == 404
