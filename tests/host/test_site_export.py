"""``playground export site``: the folder a static host serves, as a user gets it.

Real processes and files. Most tests use a small front end of their own (the
layout ``make frontend-build`` writes) so they check what the exporter does with
it; one uses the real build. That the page runs in a browser from a plain static
server is tests/browser/test_static_site.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.host.test_cli import ROOT

pytestmark = pytest.mark.subprocess

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def _():
    import csv
    rows = list(csv.reader(open("data.csv")))
    rows
    return (rows,)
'''


def playground(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PLAYGROUND_FRONTEND_DIST", None)
    return subprocess.run([sys.executable, "-m", "kernels.runtime.cli", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def fake_frontend(root: Path) -> Path:
    dist = root / "dist"
    (dist / ".vite").mkdir(parents=True)
    (dist / "assets").mkdir()
    (dist / "pyodide").mkdir()
    (dist / "assets" / "main-1.js").write_text("import './shared-2.js'")
    (dist / "assets" / "shared-2.js").write_text("")
    (dist / "assets" / "main-3.css").write_text("body{}")
    (dist / "pyodide" / "pyodide.mjs").write_text("")
    (dist / "playground-assets.json").write_text(json.dumps(
        {"pyodideVersion": "1", "runtimeWheel": "wheels/r.whl", "micropipWheel": "wheels/m.whl",
         "snapshot": None, "snapshotKey": None}))
    (dist / ".vite" / "manifest.json").write_text(json.dumps({
        "src/main.ts": {"file": "assets/main-1.js", "isEntry": True, "imports": ["_shared"],
                        "css": ["assets/main-3.css"]},
        "_shared": {"file": "assets/shared-2.js"},
    }))
    return dist


def page_config(site: Path) -> dict:
    page = (site / "index.html").read_text("utf-8")
    found = re.search(r'<script id="playground-config" type="application/json">(.*?)</script>',
                      page, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def make_wheel(path: Path, name: str = "tinyhelp") -> Path:
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "ANSWER = 42\n")
    return path


def test_the_site_opens_the_notebook_with_its_files_and_wheels_at_relative_addresses(
    tmp_path: Path,
) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK)
    folder = tmp_path / "folder"
    (folder / "raw").mkdir(parents=True)
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "raw" / "big data.bin").write_bytes(bytes(range(256)))
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref")
    wheel = make_wheel(tmp_path / "tinyhelp-1.0-py3-none-any.whl")

    done = playground("export", "site", "nb.py", "-o", "site", "--files", "folder",
                      "--wheel", str(wheel), "--frontend", str(dist), "--title", "Cities",
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 wheel(s)" in done.stdout and "2 folder file(s)" in done.stdout

    site = tmp_path / "site"
    config = page_config(site)
    # The notebook is the page's own, shown as an app, not a visitor's draft.
    assert config["embed"] is True and config["mode"] == "read" and config["hosted"] is False
    cells = config["starter"]["cells"]
    assert len(cells) == 1 and "csv.reader" in cells[0]["code"] and cells[0]["name"]
    assert config["site"]["title"] == "Cities"
    assert (site / "notebook.py").read_text() == NOTEBOOK
    # Its folder, skipping hidden files, each with its digest and a relative address.
    files = {f["path"]: f for f in config["site"]["files"]}
    assert sorted(files) == ["data.csv", "raw/big data.bin"]
    assert files["raw/big data.bin"]["url"] == "files/raw/big%20data.bin"
    assert files["raw/big data.bin"]["sha256"] == hashlib.sha256(bytes(range(256))).hexdigest()
    assert (site / "files" / "raw" / "big data.bin").read_bytes() == bytes(range(256))
    # Every address in the page is relative, so any path on any host serves it.
    page = (site / "index.html").read_text()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert addresses and all(not a.startswith("/") for a in addresses if a != "data:,")
    for address in addresses:
        if address != "data:,":
            assert (site / address).is_file(), address
    assert 'rel="stylesheet" href="static/assets/main-3.css"' in page
    assert not (site / "static" / ".vite").exists()
    # A PEP 503 index of the wheels for micropip, at the page's wheel index address.
    assert config["wheelIndexUrl"] == "static/site-wheels/simple/{package_name}/"
    index = (site / "static" / "site-wheels" / "simple" / "tinyhelp" / "index.html").read_text()
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert f'href="tinyhelp-1.0-py3-none-any.whl#sha256={digest}"' in index
    assert (site / "static" / "site-wheels" / "simple" / "tinyhelp" / wheel.name).is_file()


def test_exporting_again_replaces_what_the_last_export_wrote_and_nothing_else(
    tmp_path: Path,
) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "old.csv").write_text("x")
    assert playground("export", "site", "nb.py", "-o", "site", "--files", "folder",
                      "--frontend", str(dist), cwd=tmp_path).returncode == 0
    (tmp_path / "site" / "CNAME").write_text("docs.example.org")  # the host's own file
    (tmp_path / "folder" / "old.csv").unlink()
    (tmp_path / "folder" / "new.csv").write_text("y")
    assert playground("export", "site", "nb.py", "-o", "site", "--files", "folder",
                      "--frontend", str(dist), "--show-code", cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    assert not (site / "files" / "old.csv").exists()
    assert (site / "files" / "new.csv").read_text() == "y"
    assert (site / "CNAME").read_text() == "docs.example.org"
    assert page_config(site)["mode"] == "edit"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--frontend", "nowhere"], "no built front end at nowhere"),
        (["--files", "missing-folder"], "is not a folder"),
        (["--wheel", "numpy-2.0-cp313-cp313-linux_x86_64.whl"], "not a pure-Python wheel"),
        (["--wheel", "absent-1.0-py3-none-any.whl"], "is not a file"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK)
    make_wheel(tmp_path / "numpy-2.0-cp313-cp313-linux_x86_64.whl", "numpy")
    args = ["export", "site", "nb.py", "-o", "site"]
    if "--frontend" not in extra:
        args += ["--frontend", str(dist)]
    done = playground(*args, *extra, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "site").exists()


def test_a_symbolic_link_in_the_folder_is_refused(tmp_path: Path) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "secrets").symlink_to("/etc/passwd")
    done = playground("export", "site", "nb.py", "-o", "site", "--files", "folder",
                      "--frontend", str(dist), cwd=tmp_path)
    assert done.returncode == 2 and "symbolic link" in done.stderr


def test_the_real_front_end_is_found_in_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "nb.py").write_text(NOTEBOOK)
    done = playground("export", "site", "nb.py", "-o", "site", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    site = tmp_path / "site"
    assets = page_config(site)["assets"]
    for key in ("runtimeWheel", "micropipWheel", "snapshot"):
        assert (site / "static" / assets[key]).is_file(), key
    assert (site / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
