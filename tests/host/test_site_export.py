"""``playground export site``: the folder a static host serves, as a user gets it.

Real processes and files. Most tests use a small front end of their own (the
layout ``make frontend-build`` writes) so they check what the exporter does with
it; one uses the real build. That the page runs in a browser from a plain static
server is tests/browser/test_static_site.py.

The export downloads the wheels a notebook imports with pip. Every test gives pip
no configuration and an index nobody answers (so a download where none is due
fails the test), or a package index in a folder; one asks the real package index
(PyPI, or the mirror pip is configured with).
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
from tests.real_services import free_port

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


def pip_offline(index_url: str | None = None) -> dict[str, str]:
    """pip with no configuration, reading ``index_url`` (default: a port nobody answers)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1",
            "PIP_INDEX_URL": index_url or f"http://127.0.0.1:{free_port()}/simple/"}


def playground(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**(env or pip_offline()), "PYTHONPATH": str(ROOT)}
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
    (dist / "pyodide" / "pyodide-lock.json").write_text(json.dumps({
        "info": {"python": "3.14.2"},
        "packages": {
            "numpy": {"name": "numpy", "imports": ["numpy"],
                      "file_name": "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl"},
            "attrs": {"name": "attrs", "imports": ["attr", "attrs"],
                      "file_name": "attrs-26.1.0-py3-none-any.whl"},
        }}))
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


def make_wheel(path: Path, name: str = "tinyhelp", requires: tuple[str, ...] = (),
               code: str = "ANSWER = 42\n") -> Path:
    """A wheel at ``path`` (its name says project, version and tags): module ``name``."""
    project, version = path.name.split("-")[:2]
    info = f"{project}-{version}.dist-info"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", code)
        wheel.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {project}\n"
                       f"Version: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires))
        tag = "-".join(path.name.removesuffix(".whl").split("-")[-3:])
        wheel.writestr(f"{info}/WHEEL",
                       f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n")
        wheel.writestr(f"{info}/RECORD", "")
    return path


def folder_index(root: Path, *wheels: Path) -> str:
    """A PEP 503 index in the folder ``root``, of these wheels (moved there): its URL."""
    for wheel in wheels:
        project = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        (root / "simple" / project).mkdir(parents=True, exist_ok=True)
        wheel.rename(root / "simple" / project / wheel.name)
    for folder in (root / "simple").iterdir():
        links = "".join(f'<a href="{w.name}">{w.name}</a>\n' for w in folder.glob("*.whl"))
        (folder / "index.html").write_text(f"<html><body>{links}</body></html>")
    return (root / "simple").as_uri() + "/"


def site_index(site: Path) -> dict[str, list[str]]:
    """The site's wheel index: project -> its wheel files."""
    simple = site / "static" / "site-wheels" / "simple"
    if not simple.exists():
        return {}
    return {p.name: sorted(w.name for w in p.glob("*.whl")) for p in sorted(simple.iterdir())}


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


IMPORTS = '''import marimo

app = marimo.App()


@app.cell
def _():
    import csv
    import numpy
    import helpers
    from slugify import slugify
    import fastparse
    import oddname
    try:
        import optional_speedups
    except ImportError:
        optional_speedups = None
    return
'''


def test_the_wheels_the_notebook_imports_are_downloaded_with_their_dependencies(
    tmp_path: Path,
) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(IMPORTS)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "helpers.py").write_text("")
    index = folder_index(
        tmp_path / "index",
        make_wheel(tmp_path / "python_slugify-8.0-py3-none-any.whl", "slugify",
                   ("text-unidecode>=1",)),
        make_wheel(tmp_path / "text_unidecode-1.3-py3-none-any.whl", "text_unidecode"),
        make_wheel(tmp_path / "fastparse-2.0-cp314-cp314-manylinux_2_28_x86_64.whl", "fastparse"),
        make_wheel(tmp_path / "helpers-9.9-py3-none-any.whl", "helpers"),  # not the folder's
        make_wheel(tmp_path / "oddname-1.0-py3-none-any.whl", "something_else"),
        make_wheel(tmp_path / "optional_speedups-1.0-py3-none-any.whl", "optional_speedups"),
    )
    done = playground("export", "site", "nb.py", "-o", "site", "--files", "folder",
                      "--frontend", str(dist), cwd=tmp_path, env=pip_offline(index))
    assert done.returncode == 0, done.stderr
    assert "3 wheel(s) (3 from the package index)" in done.stdout
    # Named as the page names it (slugify -> python-slugify), with what it needs; not the
    # helper module of the folder, nor an import the cell does without.
    assert site_index(tmp_path / "site") == {
        "python-slugify": ["python_slugify-8.0-py3-none-any.whl"],
        "oddname": ["oddname-1.0-py3-none-any.whl"],
        "text-unidecode": ["text_unidecode-1.3-py3-none-any.whl"],
    }
    index_page = (tmp_path / "site" / "static" / "site-wheels" / "simple" / "python-slugify"
                  / "index.html").read_text()
    assert 'href="python_slugify-8.0-py3-none-any.whl#sha256=' in index_page
    # What the browser cannot install is said, one line each, and the site is written.
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 3, done.stderr
    assert all(w.startswith("playground: warning: ") for w in warnings)
    assert ('"import fastparse": fastparse has no pure-Python wheel for Pyodide\'s Python 3.14'
            in done.stderr)
    assert "numpy is one of Pyodide's compiled packages" in done.stderr
    assert "the package index's oddname has no module oddname" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_given_wheel_wins_over_the_index_and_brings_its_dependencies(tmp_path: Path) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK.replace("import csv", "import csv, tinyapp"))
    index = folder_index(
        tmp_path / "index",
        make_wheel(tmp_path / "tinyapp-1.0-py3-none-any.whl", "tinyapp", ("tinyhelp<2",)),
        make_wheel(tmp_path / "tinyhelp-1.0-py3-none-any.whl", "tinyhelp"),
        make_wheel(tmp_path / "tinydep-1.0-py3-none-any.whl", "tinydep"))
    mine = make_wheel(tmp_path / "tinyhelp-2.0.dev1-py3-none-any.whl", requires=("tinydep",))
    done = playground("export", "site", "nb.py", "-o", "site", "--wheel", str(mine),
                      "--frontend", str(dist), cwd=tmp_path, env=pip_offline(index))
    assert done.returncode == 0, done.stderr
    assert site_index(tmp_path / "site") == {
        "tinyapp": ["tinyapp-1.0-py3-none-any.whl"],
        "tinydep": ["tinydep-1.0-py3-none-any.whl"],
        "tinyhelp": ["tinyhelp-2.0.dev1-py3-none-any.whl"],
    }
    assert "3 wheel(s) (2 from the package index)" in done.stdout
    # tinyapp wants another tinyhelp: the export says so, in one line.
    assert "do not go together" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("no_resolve", [False, True])
def test_standard_library_and_pyodide_imports_or_no_resolve_download_nothing(
    tmp_path: Path, no_resolve: bool
) -> None:
    # pip's index answers nobody: any download would fail the export.
    dist = fake_frontend(tmp_path)
    code = "import csv, js, marimo, numpy\n    from pyodide.ffi import to_js"
    if no_resolve:
        code += "\n    import tinyhelp"
    (tmp_path / "nb.py").write_text(NOTEBOOK.replace("import csv", code))
    done = playground("export", "site", "nb.py", "-o", "site", "--frontend", str(dist),
                      *(["--no-resolve"] if no_resolve else []), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0 wheel(s);" in done.stdout
    assert site_index(tmp_path / "site") == {}
    if no_resolve:
        assert done.stderr == ""
    else:
        assert "numpy is one of Pyodide's compiled packages" in done.stderr


def test_an_unreachable_index_is_one_clear_line_and_writes_nothing(tmp_path: Path) -> None:
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK.replace("import csv", "import csv, tinyhelp"))
    done = playground("export", "site", "nb.py", "-o", "site", "--frontend", str(dist),
                      cwd=tmp_path)
    assert done.returncode == 2
    assert "could not reach the package index" in done.stderr and "--no-resolve" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()


def test_a_package_from_the_real_index_is_in_the_site(tmp_path: Path) -> None:
    """Needs the package index pip is configured with (PyPI). attrs is small, needs
    nothing, and is a pure-Python package of Pyodide's lock: a static site has none of
    Pyodide's packages, so the page installs it from the site, by the lock's name."""
    dist = fake_frontend(tmp_path)
    (tmp_path / "nb.py").write_text(NOTEBOOK.replace("import csv", "import csv, attr"))
    done = playground("export", "site", "nb.py", "-o", "site", "--frontend", str(dist),
                      cwd=tmp_path, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    wheels = site_index(tmp_path / "site")
    assert list(wheels) == ["attrs"] and wheels["attrs"][0].endswith("-none-any.whl")
