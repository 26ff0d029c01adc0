""""Publish as static site": a saved notebook and its folder as a zip for any static host."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.test import Client

from tests.factories import client_for, code, notebook_make, user_make
from tests.folders.test_folder_api import CSV, put, upload

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
