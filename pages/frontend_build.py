"""Reading the Vite build of frontend/: which files /play loads, and the runtime's assets.

The build (docs/frontend-contract.md) leaves ``.vite/manifest.json`` and
``playground-assets.json`` in ``settings.FRONTEND_DIST_DIR``. They are read once and
kept; with DEBUG on they are read on every request, so a rebuild shows without a restart.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

# The manifest keys of the entry points (their source paths in frontend/): the
# playground (user-content site) and the scripts of the app's own pages.
ENTRY = "src/main.ts"
HOST_ENTRY = "src/host/main.ts"
MANIFEST = Path(".vite") / "manifest.json"
ASSETS = Path("playground-assets.json")


class FrontendBuildMissing(Exception):
    """The build is absent or incomplete; the message says which file and what is wrong."""

    def __init__(self, message: str, *, missing: str) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class EntryFiles:
    """What a page loads for one entry point; paths are relative to /static/."""

    script: str
    stylesheets: tuple[str, ...]
    # The entry's statically imported chunks, fetched in parallel with it.
    preloads: tuple[str, ...]


@dataclass(frozen=True)
class FrontendBuild:
    """Paths are relative to /static/ (the root of the build)."""

    entry_script: str
    stylesheets: tuple[str, ...]
    # The entry's statically imported chunks, fetched in parallel with it.
    preloads: tuple[str, ...]
    # The contents of playground-assets.json (Pyodide version, wheels, snapshot).
    assets: dict[str, Any]
    # The app pages' script (the notebook editor and shared pages), if the build has it.
    host: EntryFiles | None = None


def _display(path: Path) -> str:
    """A path as people should look for it: relative to the repository when inside it."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrontendBuildMissing(
            f"{_display(path)} does not exist.", missing=_display(path)
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FrontendBuildMissing(
            f"{_display(path)} could not be read ({error}).", missing=_display(path)
        ) from error


def _entry_files(manifest: dict[str, Any], manifest_path: Path, key: str = ENTRY) -> EntryFiles:
    """The entry's script, its stylesheets and the chunks to preload."""
    entry = manifest.get(key)
    if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
        raise FrontendBuildMissing(
            f"{_display(manifest_path)} has no entry {key!r}.", missing=_display(manifest_path)
        )
    stylesheets: list[str] = []
    preloads: list[str] = []
    seen: set[str] = set()

    # Vite's backend-integration recipe: CSS of the entry and of every chunk it imports,
    # and a modulepreload for each imported chunk.
    def visit(key: str, chunk: dict[str, Any]) -> None:
        if key in seen:
            return
        seen.add(key)
        for css in chunk.get("css", []):
            if css not in stylesheets:
                stylesheets.append(css)
        for imported in chunk.get("imports", []):
            child = manifest.get(imported)
            if isinstance(child, dict) and "file" in child:
                if child["file"] not in preloads:
                    preloads.append(child["file"])
                visit(imported, child)

    visit(key, entry)
    return EntryFiles(entry["file"], tuple(stylesheets), tuple(preloads))


def _load(dist_dir: Path) -> FrontendBuild:
    manifest_path = dist_dir / MANIFEST
    manifest = _read_json(manifest_path)
    if not isinstance(manifest, dict):
        raise FrontendBuildMissing(
            f"{_display(manifest_path)} is not a Vite manifest.", missing=_display(manifest_path)
        )
    main = _entry_files(manifest, manifest_path)
    host = _entry_files(manifest, manifest_path, HOST_ENTRY) if HOST_ENTRY in manifest else None
    assets_path = dist_dir / ASSETS
    assets = _read_json(assets_path)
    if not isinstance(assets, dict):
        raise FrontendBuildMissing(
            f"{_display(assets_path)} is not a JSON object.", missing=_display(assets_path)
        )
    return FrontendBuild(
        entry_script=main.script,
        stylesheets=main.stylesheets,
        preloads=main.preloads,
        assets=assets,
        host=host,
    )


# Keyed on the directory, so tests that point FRONTEND_DIST_DIR elsewhere get their own.
# A missing build raises, and exceptions are not cached: a build made later is found.
_load_once = lru_cache(maxsize=4)(_load)


def frontend_build_get() -> FrontendBuild:
    """The current build, or FrontendBuildMissing saying what to fix."""
    dist_dir = Path(settings.FRONTEND_DIST_DIR)
    if settings.DEBUG:
        return _load(dist_dir)
    return _load_once(dist_dir)
