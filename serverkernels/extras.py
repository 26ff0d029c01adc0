"""Pure-Python packages that server kernels' cells import and lack, installed by the worker.

A kernel runs in a sandbox without a network (serverkernels/sandbox.py), so it
cannot install anything itself. Its worker (serverkernels/host.py) sees every
command on the way in, and :class:`KernelExtras` does what the browser's worker
does before a run (frontend/src/kernel/worker.ts, ``track`` / ``cellsAboutToRun``
/ ``installImports``):

- it keeps each cell's code (:class:`CellCodes`), and before a command that may run
  cells finds the top-level modules they import
  (:func:`kernels.transports.worker_requests.top_level_imports`) that the kernel's
  interpreter cannot import: the interpreter is asked once what it has
  (:func:`kernel_environment`), and the extras installed for this kernel are added;
- it installs each one's project (named as the browser names them:
  ``PROJECT_FOR_MODULE``) from the service's own /wheels/ index, pure-Python
  wheels only and never a source build, with pip run *outside* the sandbox: first
  resolved against the kernel's environment (``--dry-run --report``, with what the
  kernel has pinned as constraints: it is never upgraded or installed again), then
  unpacked into a staging directory, measured, and moved into the kernel's extras
  directory, which the sandbox mounts read-only at /opt/extras, on ``sys.path``;
- it tells the page, per cell, with session frames
  ``{"notice": {"cell_id", "level": "progress" | "info" | "error", "text"}}``
  (the browser's ``package-notice`` message, frontend/src/kernel/messages.ts).

The command waits for the install, so the kernel only imports once it is done.
Whatever fails (no such project, no pure-Python wheel, over a limit, too slow) is
an error notice and the command goes on: the cell then fails with
``ModuleNotFoundError`` as usual. Each kernel has its own extras (a restarted
kernel starts with none), tries each project once (a failure that may pass later,
such as the index being down, is tried again on a later run), and holds at most
``ExtrasConfig.max_bytes`` of them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kernels.runtime.marimo_hook import SERVED_MODULES
from kernels.runtime.projects import PROJECT_FOR_MODULE
from kernels.transports.worker_requests import top_level_imports
from serverkernels.sandbox import MiB, format_bytes

log = logging.getLogger(__name__)

#: Top-level names the sandbox provides besides the environment: the runtime itself
#: (/opt/playground) and what the kernel serves (``import marimo``).
_RUNTIME_MODULES = frozenset({"kernels"}) | SERVED_MODULES

_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"

# Environment variables pip may need to reach the index, passed on from the worker's.
_PIP_PASSED_ENVIRONMENT = (
    "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
    "SSL_CERT_FILE", "SSL_CERT_DIR",
)

# What the kernel's interpreter can import, asked with -I (no PYTHONPATH, no user site):
# every module and package on sys.path, built-in modules, and every directory that is
# a valid name (a namespace package, such as mpl_toolkits); its standard library's
# names, its installed distributions and its version.
_ENVIRONMENT_PROBE = """\
import importlib.metadata, json, os, pkgutil, sys
names = {m.name for m in pkgutil.iter_modules()} | set(sys.builtin_module_names)
for entry in sys.path:
    try:
        listing = os.listdir(entry)
    except OSError:
        continue
    names.update(n for n in listing if n.isidentifier() and os.path.isdir(os.path.join(entry, n)))
dists = {}
for dist in importlib.metadata.distributions():
    name = dist.metadata["Name"]
    if name:
        dists.setdefault(name, dist.version)
print(json.dumps({"python": "%d.%d" % sys.version_info[:2], "modules": sorted(names),
                  "stdlib": sorted(sys.stdlib_module_names), "distributions": dists}))
"""

# Versions written as constraints; anything else (a legacy version) pip would refuse.
_PEP440_VERSION = re.compile(
    r"\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?\Z", re.I
)


@dataclass(frozen=True)
class ExtrasConfig:
    """Where a kernel's extras come from and how much of them it may have."""

    #: A PEP 691 simple index (``.../simple/``): the service's /wheels/ proxy, which
    #: lists pure-Python wheels only.
    index_url: str
    #: Size of all of one kernel's extras, as installed.
    max_bytes: int = 200 * MiB
    #: Time one project may take, its index lookup and dependencies included.
    install_seconds: float = 120
    #: Projects one kernel may try to install.
    max_projects: int = 40

    def project_url(self, project: str) -> str:
        return f"{self.index_url.rstrip('/')}/{normalize_project(project)}/"


Notice = dict[str, str]
Notify = Callable[[Notice], None]


def normalize_project(name: str) -> str:
    """PEP 503: ``Typing_Extensions`` -> ``typing-extensions``."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------
# What the kernel has
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KernelEnvironment:
    """What a kernel's interpreter and its environment provide, without the extras."""

    python_version: str  # "3.13"
    modules: frozenset[str]  # top-level names it can import
    stdlib: frozenset[str]  # its standard library's top-level names
    distributions: Mapping[str, str]  # normalized project name -> installed version

    def constraints(self) -> list[str]:
        """``name==version`` of each installed distribution pip may be told to keep."""
        return [f"{name}=={version}" for name, version in sorted(self.distributions.items())
                if _PEP440_VERSION.match(version)]


@functools.lru_cache(maxsize=8)
def kernel_environment(python: str) -> KernelEnvironment:
    """Ask ``python`` once per worker process what it can import (a second or so)."""
    found = subprocess.run(
        [python, "-I", "-c", _ENVIRONMENT_PROBE], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}, cwd="/", check=True,
    )
    data = json.loads(found.stdout)
    return KernelEnvironment(
        python_version=str(data["python"]),
        modules=frozenset(data["modules"]) | _RUNTIME_MODULES,
        stdlib=frozenset(data["stdlib"]),
        distributions={normalize_project(name): str(version)
                       for name, version in data["distributions"].items()},
    )


# ---------------------------------------------------------------------------
# The cells, from the commands
# ---------------------------------------------------------------------------


class CellCodes:
    """Each cell's code as the kernel has it, kept from the commands on their way in."""

    def __init__(self) -> None:
        self._cells: dict[str, tuple[str, str]] = {}  # cell id -> (kind, code)

    def track(self, command: Mapping[str, Any]) -> None:
        kind, cell_id = command.get("type"), command.get("cell_id")
        if not isinstance(cell_id, str):
            return
        code = command.get("code")
        if kind == "create_cell" and cell_id not in self._cells:
            self._cells[cell_id] = (str(command.get("kind") or "code"),
                                    code if isinstance(code, str) else "")
        elif kind == "update_cell" and cell_id in self._cells and isinstance(code, str):
            self._cells[cell_id] = (self._cells[cell_id][0], code)
        elif kind == "delete_cell":
            self._cells.pop(cell_id, None)

    def about_to_run(self, command: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(cell id, code) of the code cells ``command`` may run: their descendants
        count too, so all of them, as in the browser."""
        kind = command.get("type")
        runs = kind in ("run", "run_all", "run_stale", "delete_cell") or (
            kind == "update_cell" and command.get("config") is not None
        )
        if not runs:
            return []
        return [(cell_id, code) for cell_id, (cell_kind, code) in self._cells.items()
                if cell_kind == "code"]


# ---------------------------------------------------------------------------
# Installing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallReport:
    """What became of one import: installed, or why not (one sentence for the cell)."""

    module: str
    project: str
    installed: bool
    message: str


class _NotInstalled(Exception):
    """Why a project was not installed. ``again``: a later run may try it again."""

    def __init__(self, reason: str, *, again: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.again = again


class KernelExtras:
    """One kernel's extras directory, and the installs into it before its commands run.

    ``directory`` is what the sandbox mounts (``sandbox.spawn(extras=...)``);
    :meth:`cleanup` removes it with everything else this kernel's installs left.
    """

    def __init__(self, config: ExtrasConfig, *, python: str, notify: Notify,
                 parent: Path | None = None) -> None:
        self.config = config
        self.python = python
        self._notify = notify
        self.root = Path(tempfile.mkdtemp(prefix="kernel-extras-", dir=parent))
        self.directory = self.root / "site"  # mounted: holds nothing but installed packages
        for part in (self.directory, self.root / "home", self.root / "tmp"):
            part.mkdir()
        self.cells = CellCodes()
        self._environment: KernelEnvironment | None = None
        self._outcomes: dict[str, InstallReport] = {}  # module -> what became of it
        self._again: set[str] = set()  # modules whose failure a later run may not meet
        self._projects: dict[str, InstallReport] = {}  # normalized project -> its install
        self._installed: dict[str, str] = {}  # normalized project -> version, in directory
        self._size = 0

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the commands

    def before_command(self, text: str) -> None:
        """Keep the cells' code; before a command that may run cells, install what they lack."""
        try:
            command = json.loads(text)
        except ValueError:
            return  # the kernel answers it with a protocol error
        if not isinstance(command, dict):
            return
        try:
            self.cells.track(command)
            cells = self.cells.about_to_run(command)
            if cells:
                self.install_imports(cells)
        except Exception:  # never stop a session over its extras: the import fails as usual
            log.exception("installing the imports of a kernel's cells failed")

    def environment(self) -> KernelEnvironment | None:
        if self._environment is None:
            try:
                self._environment = kernel_environment(self.python)
            except (OSError, subprocess.SubprocessError, ValueError, KeyError):
                log.exception("could not ask %s which modules it has", self.python)
        return self._environment

    def installed_modules(self) -> set[str]:
        """Top-level names the extras directory provides."""
        names = set()
        for entry in self.directory.iterdir():
            name = entry.name.removesuffix(".py") if entry.is_file() else entry.name
            if name.isidentifier() and name != "__pycache__":
                names.add(name)
        return names

    def missing_imports(self, cells: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """cell id -> the top-level modules it imports that the kernel cannot import now."""
        environment = self.environment()
        if environment is None:
            return {}
        present = environment.modules | self.installed_modules()
        missing: dict[str, list[str]] = {}
        for cell_id, code in cells:
            names = [name for name in top_level_imports(code) if name not in present]
            if names:
                missing[cell_id] = names
        return missing

    def install_imports(self, cells: Iterable[tuple[str, str]]) -> None:
        """Install what ``cells`` import and lack; a notice per cell before and after."""
        missing = self.missing_imports(cells)
        if not missing:
            return
        for cell_id, modules in missing.items():
            fresh = [module for module in modules if module not in self._outcomes]
            if fresh:
                self._tell(cell_id, "progress", f"installing {', '.join(fresh)}…")
        for module in dict.fromkeys(m for modules in missing.values() for m in modules):
            if module not in self._outcomes:
                self._outcomes[module] = self._install_module(module)
        for cell_id, modules in missing.items():
            reports = [self._outcomes[module] for module in modules]
            failed = [report for report in reports if not report.installed]
            self._tell(cell_id, "error" if failed else "info",
                       "\n".join(report.message for report in failed or reports))
        # Failures that may pass later (the index down, too slow) are tried on a later run.
        for module in self._again:
            self._outcomes.pop(module, None)
        self._again.clear()

    def _tell(self, cell_id: str, level: str, text: str) -> None:
        self._notify({"cell_id": cell_id, "level": level, "text": text})

    def _install_module(self, module: str) -> InstallReport:
        environment = self.environment()
        assert environment is not None
        project = PROJECT_FOR_MODULE.get(module, module)
        if module in environment.stdlib:
            return InstallReport(module, project, False, (
                f'"import {module}": {module} is part of Python\'s standard library, but this '
                "kernel's Python does not have it, and it cannot be installed"
            ))
        key = normalize_project(project)
        if key in self._projects:
            return replace(self._projects[key], module=module)
        if len(self._projects) >= self.config.max_projects:
            return InstallReport(module, project, False, (
                f'could not install {project} for "import {module}": this kernel has already '
                f"tried {self.config.max_projects} packages, its limit; restart it to start over"
            ))
        try:
            report = self._install_project(module, project, environment)
        except _NotInstalled as problem:
            report = InstallReport(
                module, project, False,
                f'could not install {project} for "import {module}": {problem.reason}',
            )
            if problem.again:
                self._again.add(module)
                return report
        self._projects[key] = report
        return report

    def _install_project(
        self, module: str, project: str, environment: KernelEnvironment
    ) -> InstallReport:
        deadline = time.monotonic() + self.config.install_seconds
        self._ask_index(project, deadline)
        plan = [(name, version) for name, version in self._resolve(project, environment, deadline)
                if name not in self._installed]
        if not plan:
            raise _NotInstalled(f"{project} is installed already, but has no module {module}")
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=self.root))
        try:
            self._pip(["install", "--quiet", "--no-deps", "--target", str(staging),
                       *self._pip_options(environment, deadline),
                       *(f"{name}=={version}" for name, version in plan)], deadline, project)
            shutil.rmtree(staging / "bin", ignore_errors=True)  # scripts: nothing runs them
            size = _tree_size(staging)
            if self._size + size > self.config.max_bytes:
                raise _NotInstalled(
                    f"it takes {format_bytes(size)}, and the packages installed for one kernel "
                    f"may take {format_bytes(self.config.max_bytes)} in all "
                    f"({format_bytes(self._size)} used)"
                )
            # Packages first, their metadata last; on the sandbox's side the directory
            # is read-only, and the kernel imports only after this command goes on.
            entries = sorted(staging.iterdir(), key=lambda entry: entry.name.endswith(".dist-info"))
            for entry in entries:
                _merge(entry, self.directory / entry.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self._size = _tree_size(self.directory)
        self._installed.update(plan)
        log.info("installed %s for a kernel", ", ".join(f"{n} {v}" for n, v in plan))
        versions = dict(plan)
        main = normalize_project(project)
        text = f"installed {project} {versions.get(main, '')}".rstrip()
        if others := [f"{name} {version}" for name, version in plan if name != main]:
            text += f" (with {', '.join(others)})"
        if module not in self.installed_modules():
            return InstallReport(module, project, False, f'{text}, but it has no module "{module}"')
        return InstallReport(module, project, True, text)

    # -- the index and pip

    def _ask_index(self, project: str, deadline: float) -> None:
        """Whether the index has the project: its own words when it has not (pip loses them)."""
        request = urllib.request.Request(
            self.config.project_url(project), headers={"Accept": _SIMPLE_JSON}
        )
        try:
            with urllib.request.urlopen(request, timeout=_remaining(deadline, self.config)):
                return
        except urllib.error.HTTPError as error:
            if error.code not in (400, 404):
                raise _NotInstalled(
                    f"the package index failed (HTTP {error.code}); try again later", again=True
                ) from error
            said = ""
            with contextlib.suppress(ValueError, OSError):
                said = str(json.loads(error.read(64 * 1024)).get("error") or "")
            if "pure-Python" in said:
                raise _NotInstalled(
                    f"{project} has no pure-Python wheel, and only pure-Python packages can be "
                    "added to a server kernel"
                ) from error
            raise _NotInstalled(
                f"there is no project named {project} on the package index"
            ) from error
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                raise _NotInstalled(self._too_slow(), again=True) from error
            raise _NotInstalled(
                f"the package index could not be reached ({reason}); try again later", again=True
            ) from error

    def _resolve(
        self, project: str, environment: KernelEnvironment, deadline: float
    ) -> list[tuple[str, str]]:
        """(normalized name, version) of what installing ``project`` adds to the kernel:
        what pip would install, with everything the kernel has kept as it is."""
        work = Path(tempfile.mkdtemp(prefix="resolve-", dir=self.root))
        try:
            constraints = work / "constraints.txt"
            kept = [*environment.constraints(),
                    *(f"{name}=={version}" for name, version in self._installed.items())]
            constraints.write_text("".join(f"{line}\n" for line in kept))
            report = work / "report.json"
            self._pip(["install", "--dry-run", "--quiet", "--report", str(report),
                       "--constraint", str(constraints), *self._pip_options(environment, deadline),
                       project], deadline, project)
            data = json.loads(report.read_text())
        finally:
            shutil.rmtree(work, ignore_errors=True)
        plan = [(normalize_project(item["metadata"]["name"]), str(item["metadata"]["version"]))
                for item in data.get("install", [])]
        if changed := [name for name, _ in plan if name in environment.distributions]:
            raise _NotInstalled(
                f"it needs other versions of {', '.join(changed)} than the kernel's environment "
                "has, which are not changed"
            )
        return plan

    def _pip_options(self, environment: KernelEnvironment, deadline: float) -> list[str]:
        # Pure-Python wheels for the kernel's Python only, from our index only: never an
        # sdist (nothing is ever built, so no package code runs here), never a compiled wheel.
        return [
            "--index-url", self.config.index_url, "--only-binary=:all:",
            "--platform", "any", "--implementation", "py", "--abi", "none",
            "--python-version", environment.python_version,
            "--no-cache-dir", "--disable-pip-version-check", "--no-input",
            "--keyring-provider", "disabled",
            # Past the deadline: the deadline below stops pip, with one message for it.
            "--timeout", str(int(_remaining(deadline, self.config)) + 5), "--retries", "1",
        ]

    def _pip(self, args: list[str], deadline: float, project: str) -> None:
        """Run pip for the kernel's interpreter; stopped (with its children) at ``deadline``."""
        command = [sys.executable, "-m", "pip"]
        if Path(self.python).absolute() != Path(sys.executable).absolute():
            command += ["--python", self.python]  # pip runs itself again with that interpreter
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "HOME": str(self.root / "home"), "TMPDIR": str(self.root / "tmp"),
            "PIP_CONFIG_FILE": os.devnull, "PYTHONNOUSERSITE": "1",
            **{name: os.environ[name] for name in _PIP_PASSED_ENVIRONMENT if name in os.environ},
        }
        process = subprocess.Popen(
            [*command, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env, cwd=self.root, start_new_session=True,
        )
        try:
            _, errors = process.communicate(timeout=_remaining(deadline, self.config))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise _NotInstalled(self._too_slow(), again=True) from None
        if process.returncode != 0:
            raise _NotInstalled(_pip_problem(errors, project, process.returncode))

    def _too_slow(self) -> str:
        seconds = f"{self.config.install_seconds:g}"
        return f"it took longer than {seconds} s, and was stopped; try again later"


def _remaining(deadline: float, config: ExtrasConfig) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        seconds = f"{config.install_seconds:g}"
        raise _NotInstalled(f"it took longer than {seconds} s, and was stopped", again=True)
    return left


def _pip_problem(errors: str, project: str, status: int) -> str:
    """pip's error output, as one sentence for the cell."""
    lines = [line.removeprefix("ERROR: ").strip() for line in errors.splitlines()
             if line.startswith("ERROR: ")]
    for line in lines:
        if found := re.match(r"No matching distribution found for ([A-Za-z0-9._-]+)", line):
            needed = found.group(1)
            if normalize_project(needed) == normalize_project(project):
                return (f"the package index has no pure-Python wheel of {project} for this "
                        "kernel's Python, and only pure-Python packages can be added to a server "
                        "kernel")
            return f"{project} needs {needed}, and the package index has no pure-Python wheel of it"
        if "conflicting dependencies" in line or "ResolutionImpossible" in line:
            return (f"{project} needs versions of other packages that conflict with what the "
                    "kernel has")
    if lines:
        return lines[-1][:300]
    return f"pip failed (exit status {status})"


def _merge(source: Path, target: Path) -> None:
    """Move ``source`` to ``target``; directories both have (a namespace, __pycache__) merge.
    A file the target has already stays: what was installed first is kept."""
    if not target.exists():
        source.rename(target)
    elif source.is_dir() and target.is_dir():
        for child in source.iterdir():
            _merge(child, target / child.name)


def _tree_size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total
