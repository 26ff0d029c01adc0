"""The pure-Python wheels a static site needs: what its notebook imports, fetched with pip.

A static site (kernels/runtime/site_export.py) has no /wheels/ proxy and none of
Pyodide's packages: the page installs every module its cells import that Python
lacks from the site's own wheel index (frontend/src/packages/install.ts, with
``pyodidePackagesUrl`` null). So at export time, for each top-level module the
cells import as the page sees them (:func:`top_level_imports`: relative imports and
those guarded by ``except ImportError`` are skipped):

- the standard library, what Pyodide or the runtime provides itself (``js``,
  ``pyodide``, ``marimo``, ``kernels``) and the notebook's folder (helper modules)
  need nothing;
- a compiled package of Pyodide's lock (numpy) cannot be in the site: a warning;
- anything else is a project of the package index, named as the page names it
  (the lock's name, else :data:`PROJECT_FOR_MODULE`, else the module's), and pip
  downloads its pure-Python wheel and those of its dependencies for Pyodide's
  Python. A project (or a dependency) with no pure-Python wheel is a warning: the
  site is written without it, and the page says the package cannot be installed.

pip runs as a subprocess of the CLI (``python -m pip download``, CPython, never
Pyodide), so this module stays standard library only. It reads the person's pip
configuration (``PIP_INDEX_URL``, pip.conf: a mirror works), keeps pip's cache (a
second export downloads nothing again), and never builds a source distribution
(``--only-binary=:all:``), so no package code runs.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kernels.runtime.marimo_hook import SERVED_MODULES
from kernels.runtime.modules import module_names
from kernels.runtime.notebook import Notebook
from kernels.runtime.projects import PROJECT_FOR_MODULE, project_normalized
from kernels.transports.worker_requests import top_level_imports

#: Modules the page has without installing anything: Pyodide's own and the runtime's.
PROVIDED_MODULES = (frozenset({"js", "pyodide", "pyodide_js", "_pyodide", "kernels"})
                    | SERVED_MODULES)
#: pip may take this long for all the projects of one notebook.
PIP_SECONDS = 300
_LOCK = Path("pyodide") / "pyodide-lock.json"
_PURE_WHEEL = re.compile(r"-(py3|py2\.py3)-none-any\.whl$")  # install.ts's isPureWheel
_NO_MATCH = re.compile(r"No matching distribution found for ([A-Za-z0-9._-]+)")
_UNREACHABLE = ("NewConnectionError", "Failed to establish a new connection",
                "Max retries exceeded", "ConnectTimeoutError", "ReadTimeoutError",
                "SSLError", "ProxyError", "NameResolutionError")


class WheelResolutionError(Exception):
    """The wheels could not be found at all (pip missing, the index unreachable): one line."""


class _PipFailed(Exception):
    """pip found no wheels for what it was asked; ``missing``: the project it lacked."""

    def __init__(self, message: str, missing: str | None) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Resolution:
    wheels: tuple[Path, ...]  # pure-Python wheels, in the download folder
    warnings: tuple[str, ...]  # modules the page will not be able to import, one line each


@dataclass(frozen=True)
class _Lock:
    python: str  # "3.14"
    by_module: dict[str, dict[str, Any]]  # import name -> the lock's package


def needed_modules(notebook: Notebook) -> list[str]:
    """Top-level modules the code cells import, as the page finds them, in order."""
    found: dict[str, None] = {}
    for cell in notebook.cells:
        if cell.kind == "code":
            found.update(dict.fromkeys(top_level_imports(cell.code)))
    return list(found)


@dataclass(frozen=True)
class PackageIndex:
    """Where pip looks and how long it may take: ``url`` None is pip's own configuration
    (the CLI); the service gives its upstream index (WHEELS_UPSTREAM_INDEX) and a
    shorter time, as it answers a request."""

    url: str | None = None
    seconds: float = PIP_SECONDS


def resolve_wheels(
    notebook: Notebook,
    *,
    frontend: Path,
    download: Path,
    folder_paths: Iterable[str] = (),
    notebook_dir: Path | None = None,
    given: Mapping[str, Sequence[Path]] | None = None,
    index: PackageIndex = PackageIndex(),
) -> Resolution:
    """Download into ``download`` the wheels ``notebook`` needs that the page lacks.

    ``folder_paths`` are the site folder's files (relative POSIX paths); ``given`` the
    ``--wheel`` files by normalized project: those projects are not looked up, but
    their dependencies are (the given files are where pip finds them first).
    """
    helpers = {name.split(".")[0] for name in module_names(folder_paths)}
    given = given or {}
    warnings: list[str] = []
    # What pip is asked for -> what it is for: a project -> '"import module"'; a
    # --wheel file (its path) -> "--wheel name".
    wanted: dict[str, str] = {str(wheel.resolve()): f"--wheel {wheel.name}"
                              for wheels in given.values() for wheel in wheels}
    modules: dict[str, str] = {}  # project from the index -> the module it is for
    lock: _Lock | None = None
    for module in needed_modules(notebook):
        if module in sys.stdlib_module_names or module in PROVIDED_MODULES or module in helpers:
            continue
        if notebook_dir is not None and _beside(notebook_dir, module):
            warnings.append(
                f'"import {module}" is a module beside the notebook that the site does not '
                "have: pass its folder with --files")
            continue
        lock = lock or _read_lock(frontend)
        locked = lock.by_module.get(module)
        if locked is not None and not _PURE_WHEEL.search(str(locked["file_name"])):
            warnings.append(
                f'"import {module}": {locked["name"]} is one of Pyodide\'s compiled packages, '
                "which a static site does not have; the page will say it is not available")
            continue
        project = str(locked["name"]) if locked else PROJECT_FOR_MODULE.get(module, module)
        if project_normalized(project) not in given and project not in modules:
            modules[project] = module
            wanted[project] = f'"import {module}"'
    if not wanted:
        return Resolution((), tuple(warnings))
    lock = lock or _read_lock(frontend)
    download.mkdir(parents=True, exist_ok=True)
    links = sorted({str(wheel.resolve().parent) for wheels in given.values() for wheel in wheels})
    try:
        _pip_download(list(wanted), python=lock.python, into=download, links=links, index=index)
    except _PipFailed as together:
        # One project without a pure-Python wheel (or two that want different versions
        # of a third) fails them all: each alone, to say which.
        alone_failed = False
        for requirement, label in wanted.items():
            try:
                _pip_download([requirement], python=lock.python, into=download, links=links,
                              index=index)
            except _PipFailed as failed:
                if failed.missing is None:
                    raise WheelResolutionError(str(failed)) from None
                alone_failed = True
                itself = requirement in modules and (project_normalized(failed.missing)
                                                     == project_normalized(requirement))
                needs = (f"{requirement} has" if itself
                         else f"it needs {failed.missing}, which has")
                warnings.append(
                    f"{label}: {needs} no pure-Python wheel for Pyodide's Python {lock.python} "
                    "on the package index, so the browser cannot install it")
        if not alone_failed:
            warnings.append(f"the packages need versions of each other that do not go "
                            f"together, so each was downloaded alone ({together})")
    wheels = sorted(download.glob("*.whl"))
    for project, module in modules.items():
        warnings.extend(_module_check(wheels, project, module))
    return Resolution(tuple(w for w in wheels if _PURE_WHEEL.search(w.name)), tuple(warnings))


def _beside(folder: Path, module: str) -> bool:
    return (folder / f"{module}.py").is_file() or (folder / module / "__init__.py").is_file()


def _read_lock(frontend: Path) -> _Lock:
    path = frontend / _LOCK
    try:
        data = json.loads(path.read_text("utf-8"))
        python = ".".join(str(data["info"]["python"]).split(".")[:2])
        packages = data["packages"].values()
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise WheelResolutionError(
            f"cannot read Pyodide's package list {path} ({exc}), which says what the page "
            "has: rebuild the front end, or pass --no-resolve and give the wheels with --wheel"
        ) from None
    by_module = {name: package for package in packages for name in package.get("imports", [])}
    return _Lock(python, by_module)


def _pip_download(projects: Sequence[str], *, python: str, into: Path,
                  links: Sequence[str], index: PackageIndex) -> None:
    """Download the projects' pure-Python wheels and their dependencies' into ``into``
    (``links``: folders of wheels pip looks in besides the index).

    :class:`_PipFailed` when pip found none that suit; :class:`WheelResolutionError` when
    it could not look (no pip, no network, too slow).
    """
    if importlib.util.find_spec("pip") is None:
        raise WheelResolutionError(
            f"finding the wheels the notebook imports ({', '.join(projects)}) needs pip, which "
            f"{sys.executable} lacks: install pip, or pass --no-resolve and give the wheels "
            "with --wheel")
    command = [
        sys.executable, "-m", "pip", "download", "--dest", str(into),
        "--only-binary=:all:", "--platform", "any", "--implementation", "py", "--abi", "none",
        "--python-version", python, "--no-input", "--disable-pip-version-check",
        "--progress-bar", "off", "--retries", "2", "--timeout", "30",
        *(option for link in links for option in ("--find-links", link)),
        *(("--index-url", index.url) if index.url else ()), *projects,
    ]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=index.seconds)
    except subprocess.TimeoutExpired:
        raise WheelResolutionError(
            f"pip took longer than {index.seconds:g} s to download {', '.join(projects)}: try "
            "again, or pass --no-resolve and give the wheels with --wheel") from None
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    if any(sign in output for sign in _UNREACHABLE):
        raise WheelResolutionError(
            f"could not reach the package index to download {', '.join(projects)}: check the "
            "network (or pip's index-url), or pass --no-resolve for an offline build and give "
            "the wheels with --wheel")
    missing = _NO_MATCH.search(output)
    errors = [line.removeprefix("ERROR: ").strip() for line in output.splitlines()
              if line.startswith("ERROR: ")]
    raise _PipFailed(
        f"pip could not download {', '.join(projects)}: "
        f"{errors[-1] if errors else f'exit status {done.returncode}'}",
        missing.group(1) if missing else None)


def _module_check(wheels: Sequence[Path], project: str, module: str) -> list[str]:
    """A warning when ``project``'s wheel has no top-level ``module``: another project
    of that name, whose wheel the person should give with --wheel."""
    own = project_normalized(project)
    for wheel in wheels:
        if project_normalized(wheel.name.split("-")[0]) != own:
            continue
        with zipfile.ZipFile(wheel) as archive:
            tops = {name.split("/")[0] for name in archive.namelist()}
        if module in tops or f"{module}.py" in tops:
            return []
        return [f'"import {module}": the package index\'s {project} has no module {module}; '
                "if another project provides it, give its wheel with --wheel"]
    return []
