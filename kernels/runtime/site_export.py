"""``playground export site``: a notebook as a static web site that runs in the visitor's browser.

The folder it writes needs no server of ours: any static host (``python -m
http.server``, nginx, GitHub Pages, S3) serves it as it is.

    index.html           the playground page, opening the notebook in the app view
    notebook.py          the notebook as given (a link on the page downloads it)
    files/...            the notebook's folder (``--files``): its working directory
    static/              the built front end: scripts, Pyodide, the runtime wheel,
                         the memory snapshot, and a wheel index: the pure-Python wheels
                         the notebook imports (found and downloaded with pip:
                         kernels/runtime/site_wheels.py) and the ``--wheel`` files

Every address in the page is relative, so the folder may be served under any
path. The page is the same playground the service serves (frontend/dist) with a
configuration of its own (docs/folders.md, "Static sites"): the notebook is the
page's, not a draft of the visitor's; a control shows the code. A host that
cannot send the COOP/COEP headers gets a page without SharedArrayBuffer: all runs
but interrupting a busy cell and ``time.sleep``/``input()`` waits, and the page
says so. Standard library only, like the rest of the runtime.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kernels.runtime.notebook import Notebook, notebook_file_json
from kernels.runtime.projects import project_normalized
from kernels.runtime.site_wheels import PackageIndex, WheelResolutionError, resolve_wheels

#: The front end of a checkout (``make frontend-build``), found from this file.
DEFAULT_FRONTEND = Path(__file__).resolve().parents[2] / "frontend" / "dist"
ENTRY = "src/main.ts"
#: Files of the build a visitor's browser never asks for.
_SKIP = {".vite"}


class SiteExportError(Exception):
    """Something the person must fix (a missing build, a bad file), said in one line."""


class SiteWheelsError(SiteExportError):
    """The wheels the notebook imports could not be looked up (no pip, no index, too slow)."""


@dataclass(frozen=True)
class SiteSummary:
    directory: Path
    files: int
    wheels: int
    total_bytes: int
    #: Wheels fetched from the package index (file names), not given with --wheel.
    fetched: tuple[str, ...] = ()
    #: Modules the page will not be able to import, one line each.
    warnings: tuple[str, ...] = ()


def frontend_dir(explicit: str | None = None) -> Path:
    """The built front end: ``explicit``, ``$PLAYGROUND_FRONTEND_DIST`` or the checkout's."""
    chosen = Path(explicit or os.environ.get("PLAYGROUND_FRONTEND_DIST") or DEFAULT_FRONTEND)
    if not (chosen / "playground-assets.json").is_file() or not (
        chosen / ".vite" / "manifest.json"
    ).is_file():
        raise SiteExportError(
            f"no built front end at {chosen} (no playground-assets.json or .vite/manifest.json): "
            "run `make frontend-build` in a checkout, or pass --frontend DIR"
        )
    return chosen


def _entry(manifest: dict[str, Any]) -> tuple[str, list[str], list[str]]:
    """The entry script, its stylesheets and the chunks it imports (Vite's manifest)."""
    if ENTRY not in manifest:
        raise SiteExportError(f"the front end's manifest has no entry {ENTRY}")
    stylesheets: list[str] = []
    preloads: list[str] = []
    seen: set[str] = set()

    def visit(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        chunk = manifest[key]
        stylesheets.extend(css for css in chunk.get("css", []) if css not in stylesheets)
        for imported in chunk.get("imports", []):
            if manifest[imported]["file"] not in preloads:
                preloads.append(manifest[imported]["file"])
            visit(imported)

    visit(ENTRY)
    return manifest[ENTRY]["file"], stylesheets, preloads


def _folder_files(folder: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, file) of every regular file under ``folder``, by name."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise SiteExportError(f"{path} is a symbolic link; copy the file it points to instead")
        if path.is_file():
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if any(part.startswith(".") for part in relative.parts):
                continue  # .git, .DS_Store, editors' files
            found.append((str(relative), path))
    return found


_WHEEL_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-[^-]+(-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$")


def _wheel_projects(wheels: Iterable[Path]) -> dict[str, list[Path]]:
    """The wheels by normalized project name; only pure-Python wheels are accepted."""
    projects: dict[str, list[Path]] = {}
    for wheel in wheels:
        if not wheel.is_file():
            raise SiteExportError(f"--wheel {wheel} is not a file")
        match = _WHEEL_NAME.match(wheel.name)
        if match is None or not wheel.name.endswith("-none-any.whl"):
            raise SiteExportError(
                f"{wheel.name} is not a pure-Python wheel (…-none-any.whl): the browser's "
                "Python can only install those"
            )
        projects.setdefault(project_normalized(match.group("name")), []).append(wheel)
    return projects


def _wheel_index(projects: dict[str, list[Path]], target: Path) -> int:
    """A PEP 503 index of the wheels under ``target`` (micropip reads it)."""
    for project, files in projects.items():
        folder = target / project
        folder.mkdir(parents=True, exist_ok=True)
        links = []
        for wheel in files:
            shutil.copyfile(wheel, folder / wheel.name)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            links.append(f'<a href="{html.escape(wheel.name)}#sha256={digest}">'
                         f"{html.escape(wheel.name)}</a><br>")
        (folder / "index.html").write_text(
            "<!doctype html><html><body>\n" + "\n".join(links) + "\n</body></html>\n", "utf-8")
    return sum(len(files) for files in projects.values())


def _page(*, title: str, config: dict[str, Any], entry: str, stylesheets: Sequence[str],
          preloads: Sequence[str]) -> str:
    # json_script's escaping: the JSON cannot close the script element it sits in.
    data = (json.dumps(config, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    links = "".join(f'  <link rel="stylesheet" href="static/{html.escape(s)}">\n'
                    for s in stylesheets)
    links += "".join(f'  <link rel="modulepreload" href="static/{html.escape(p)}">\n'
                     for p in preloads)
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '  <link rel="icon" href="data:,">\n'
        f"  <title>{html.escape(title)}</title>\n"
        f'  <script id="playground-config" type="application/json">{data}</script>\n'
        f"{links}"
        f'  <script type="module" src="static/{html.escape(entry)}"></script>\n'
        "</head>\n<body>\n"
        '  <div id="app"></div>\n'
        "  <noscript>This notebook runs Python in your browser and needs JavaScript."
        "</noscript>\n</body>\n</html>\n"
    )


def export_site(
    notebook: Notebook,
    *,
    source_path: str,
    output: str,
    title: str,
    files: str | None = None,
    wheels: Sequence[str] = (),
    frontend: str | None = None,
    show_code: bool = False,
    resolve: bool = False,
    index: PackageIndex | None = None,
) -> SiteSummary:
    """Write the static site of ``notebook`` into the folder ``output`` (made, or emptied
    of what an earlier export wrote there).

    With ``resolve``, the pure-Python wheels the notebook imports are downloaded from
    the package index with pip (:func:`resolve_wheels`); a ``wheels`` file wins over a
    downloaded wheel of the same project (``index``: where pip looks; default, its own
    configuration). Nothing is written when this fails.
    """
    with tempfile.TemporaryDirectory(prefix="playground-site-wheels-") as download:
        return _export_site(notebook, source_path=source_path, output=output, title=title,
                            files=files, wheels=wheels, frontend=frontend,
                            show_code=show_code, download=Path(download) if resolve else None,
                            index=index or PackageIndex())


def _export_site(
    notebook: Notebook,
    *,
    source_path: str,
    output: str,
    title: str,
    files: str | None,
    wheels: Sequence[str],
    frontend: str | None,
    show_code: bool,
    download: Path | None,
    index: PackageIndex,
) -> SiteSummary:
    dist = frontend_dir(frontend)
    manifest = json.loads((dist / ".vite" / "manifest.json").read_text("utf-8"))
    assets = json.loads((dist / "playground-assets.json").read_text("utf-8"))
    entry, stylesheets, preloads = _entry(manifest)
    folder_files: list[tuple[str, Path]] = []
    if files is not None:
        if not Path(files).is_dir():
            raise SiteExportError(f"--files {files} is not a folder")
        folder_files = _folder_files(Path(files))
    projects = _wheel_projects(Path(w) for w in wheels)
    given = {wheel.name for found in projects.values() for wheel in found}
    fetched: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()
    if download is not None:
        try:
            resolution = resolve_wheels(
                notebook, frontend=dist, download=download,
                folder_paths=[relative for relative, _ in folder_files],
                notebook_dir=Path(source_path).resolve().parent,
                given=projects, index=index)
        except WheelResolutionError as exc:
            raise SiteWheelsError(str(exc)) from None
        fetched, warnings = resolution.wheels, resolution.warnings
        for project, found in _wheel_projects(fetched).items():
            projects.setdefault(project, found)  # a --wheel of the same project wins

    target = Path(output)
    if target.exists() and not target.is_dir():
        raise SiteExportError(f"{target} exists and is not a folder")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("static", "files", "index.html", "notebook.py"):
        old = target / name
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        elif old.exists() or old.is_symlink():
            old.unlink()

    shutil.copytree(dist, target / "static", ignore=lambda _d, names: [n for n in names
                                                                     if n in _SKIP])
    wheel_count = _wheel_index(projects, target / "static" / "site-wheels" / "simple")
    shutil.copyfile(source_path, target / "notebook.py")
    manifest_files = []
    for relative, path in folder_files:
        destination = target / "files" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        data = path.read_bytes()
        manifest_files.append({
            "path": relative, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "url": "files/" + "/".join(_quote(part) for part in relative.split("/")),
        })

    config = {
        "staticUrl": "static/",
        "assets": assets,
        # Packages the notebook imports that Pyodide lacks: downloaded, or given (--wheel).
        "wheelIndexUrl": "static/site-wheels/simple/{package_name}/",
        "pyodidePackagesUrl": None,
        "outputFrameUrl": None,
        "mode": "edit" if show_code else "read",
        "embed": True,
        "hosted": False,
        "appOrigin": None,
        "importUrl": None,
        "siteUrl": None,
        "starter": notebook_file_json(notebook),
        "site": {"title": title, "notebookUrl": "notebook.py", "files": manifest_files},
    }
    (target / "index.html").write_text(
        _page(title=title, config=config, entry=entry, stylesheets=stylesheets,
              preloads=preloads), "utf-8")
    total = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    used = {wheel.name for found in projects.values() for wheel in found}
    return SiteSummary(target, len(manifest_files), wheel_count, total,
                       fetched=tuple(w.name for w in fetched
                                     if w.name in used and w.name not in given),
                       warnings=warnings)


def _quote(part: str) -> str:
    from urllib.parse import quote

    return quote(part, safe="")
