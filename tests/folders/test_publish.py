""""Publish as static site": a saved notebook and its folder as a zip for any static host."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from tests.factories import client_for, code, notebook_make, user_make
from tests.folders.test_folder_api import CSV, put, upload
from tests.host.test_site_export import folder_index, make_wheel
from tests.real_services import free_port

pytestmark = pytest.mark.django_db


def test_the_zip_holds_the_page_the_notebook_its_folder_and_the_front_end() -> None:
    owner = user_make()
    notebook = notebook_make(owner, title="Rain fall",
                             cells=[code("rows = open('data/rain.csv').read()", "r")])
    client = client_for(owner)
    upload(client, notebook, ("rain.csv", CSV), folder="data")
    put(client, notebook, "helpers.py", b"X = 1\n")

    answer = client.get(f"/api/notebooks/{notebook.public_id}/site")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert 'filename="rain-fall-site.zip"' in answer["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    names = set(archive.namelist())
    assert {"rain-fall-site/index.html", "rain-fall-site/notebook.py",
            "rain-fall-site/files/data/rain.csv", "rain-fall-site/files/helpers.py",
            "rain-fall-site/static/pyodide/pyodide.asm.wasm"} <= names
    assert archive.read("rain-fall-site/files/data/rain.csv") == CSV
    assert b"data/rain.csv" in archive.read("rain-fall-site/notebook.py")
    page = archive.read("rain-fall-site/index.html").decode()
    config = json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S)[1])
    assert config["site"]["title"] == "Rain fall"
    assert sorted(f["path"] for f in config["site"]["files"]) == ["data/rain.csv", "helpers.py"]
    # Big binaries are stored, text compressed: the zip stays quick to make.
    assert archive.getinfo("rain-fall-site/static/pyodide/pyodide.asm.wasm").compress_type == (
        zipfile.ZIP_STORED)
    assert archive.getinfo("rain-fall-site/notebook.py").compress_type == zipfile.ZIP_DEFLATED


def test_only_people_who_may_copy_the_notebook_get_its_site() -> None:
    owner, stranger = user_make(), user_make()
    notebook = notebook_make(owner)
    assert client_for(stranger).get(f"/api/notebooks/{notebook.public_id}/site").status_code == 404
    public = notebook_make(owner, visibility="public")
    assert client_for(stranger).get(f"/api/notebooks/{public.public_id}/site").status_code == 200
    assert Client().get(f"/api/notebooks/{public.public_id}/site").status_code == 401


def test_the_editor_offers_publishing_and_its_owner_the_embed_code() -> None:
    owner = user_make()
    notebook = notebook_make(owner)
    page = client_for(owner).get(f"/notebooks/{notebook.public_id}/").content.decode()
    assert f'href="/api/notebooks/{notebook.public_id}/site" data-testid="publish-site"' in page
    assert f'href="/notebooks/{notebook.public_id}/share#links-title" data-testid="embed-link"' in page


def pip_without_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's pip reads no configuration or cache of this machine's: only the index
    the settings give."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")


def test_the_zip_holds_the_wheels_the_notebook_imports_from_the_upstream_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pip_without_config(monkeypatch)
    settings.WHEELS_UPSTREAM_INDEX = folder_index(
        tmp_path / "index",
        make_wheel(tmp_path / "tinyextra-1.0-py3-none-any.whl", "tinyextra", ("tinydep",)),
        make_wheel(tmp_path / "tinydep-2.0-py3-none-any.whl", "tinydep"))
    owner = user_make()
    notebook = notebook_make(owner, title="Extra",
                             cells=[code("import tinyextra\nimport numpy", "r")])

    answer = client_for(owner).get(f"/api/notebooks/{notebook.public_id}/site")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    wheels = {name.rsplit("/", 1)[1] for name in archive.namelist()
              if name.startswith("extra-site/static/site-wheels/simple/") and name.endswith(".whl")}
    # The import's project and its dependency, for the visitor's micropip.
    assert wheels == {"tinyextra-1.0-py3-none-any.whl", "tinydep-2.0-py3-none-any.whl"}
    # What the browser will not find is said in the zip, not left to a broken page.
    notes = archive.read("extra-site/PUBLISH-NOTES.txt").decode()
    assert "numpy" in notes and "compiled" in notes
    assert "tinyextra" not in notes


def test_an_unreachable_upstream_index_is_a_clear_answer_and_no_zip(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    pip_without_config(monkeypatch)
    settings.WHEELS_UPSTREAM_INDEX = f"http://127.0.0.1:{free_port()}/simple/"
    owner = user_make()
    notebook = notebook_make(owner, cells=[code("import tinyextra", "r")])

    answer = client_for(owner).get(f"/api/notebooks/{notebook.public_id}/site")
    assert answer.status_code == 503
    assert answer.json()["code"] == "site_unavailable"
    assert "could not be downloaded just now" in answer.json()["error"]
    assert "tinyextra" in answer.json()["error"]
