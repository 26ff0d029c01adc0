"""Start a notebook kernel as a sandboxed child process, and say why it stopped.

Notebooks are untrusted code. A Celery worker runs each session's kernel
(``python -m kernels.runtime.cli kernel --stdio``) through :func:`spawn`, which puts
it in a bubblewrap sandbox (its own user, pid, network, ipc, uts, mount and cgroup
namespaces; read-only system files, the Python environment and the ``kernels``
package; a private home), under resource limits (``setrlimit`` in the child, and a
memory / pids / cpu cgroup per session when the host lets us make one), with an
environment built from an allow-list. :func:`probe` finds what the host offers and
never assumes it; without bubblewrap :func:`spawn` refuses unless the caller
explicitly allows an unsandboxed kernel.

Pure Python, no Django: the caller passes every setting in. docs/security.md
("Server kernels: the sandbox") says what the child can and cannot do, and why.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import IO, Any

logger = logging.getLogger(__name__)

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB

# What the child sees: fixed paths, so nothing inside depends on the host's layout.
SANDBOX_HOME = PurePosixPath("/home/kernel")
SANDBOX_RUNTIME = PurePosixPath("/opt/playground")  # holds the read-only `kernels` package
# Pure-Python packages installed for this kernel by its worker (serverkernels/extras.py).
SANDBOX_EXTRAS = PurePosixPath("/opt/extras")
SANDBOX_VENV = PurePosixPath("/opt/venv")  # the worker's virtualenv, rebuilt from its parts
SANDBOX_PYTHON = SANDBOX_VENV / "bin" / "python"
SANDBOX_PATH = f"{SANDBOX_VENV}/bin:/usr/local/bin:/usr/bin:/bin"
SANDBOX_UID = 1000
SANDBOX_GID = 1000
SANDBOX_USER = "kernel"

# The arguments that make the sandbox's Python a stdio kernel.
KERNEL_ARGS: tuple[str, ...] = ("-m", "kernels.runtime.cli", "kernel", "--stdio")

# Session groups go in this group, under the worker's own cgroup unless told otherwise.
CGROUP_PARENT_NAME = "playground-kernels"
CGROUP_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")

# RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL this much later: enough for
# the default action (terminate) to happen first, short enough that ignoring
# SIGXCPU buys almost nothing.
CPU_GRACE_SECONDS = 2
_CPU_PERIOD_US = 100_000
_BWRAP_OPTIONS_NEEDED = ("--disable-userns", "--size", "--args")


class SandboxUnavailable(RuntimeError):
    """The host cannot run a sandboxed kernel; the message says what to install or fix."""


@dataclass(frozen=True)
class Limits:
    """Every limit of one kernel session. Defaults are for production.

    - ``memory_bytes``: address space of each process (``RLIMIT_AS``: an allocation
      past it fails with ``MemoryError`` and the kernel lives on) and memory of the
      whole session, files in its tmpfs home included (memory cgroup: past it the
      largest process, usually the kernel, is killed, and
      :meth:`SandboxedProcess.classify_exit` says so).
    - ``cpu_seconds``: CPU time of each process over its life (``RLIMIT_CPU``); an
      hour of computing is more than an interactive session needs and stops a
      runaway loop or a miner, while idle time costs nothing. A restart starts over.
    - ``processes``: processes *and threads* of the session at once (pids cgroup;
      also ``RLIMIT_NPROC``, which the kernel ignores for root, see the docs).
    - ``file_size_bytes``: largest file a process may write (``RLIMIT_FSIZE``:
      Python gets ``OSError: File too large``, other programs are killed).
    - ``open_files``: open file descriptors per process (``RLIMIT_NOFILE``).
    - ``workdir_bytes``: size of the private tmpfs home, and of ``/tmp`` and
      ``/dev/shm`` (each); a write past it fails with "No space left on device".
      Not enforced for a host ``workdir`` (see :func:`spawn`).
    - ``cpus``: share of CPU (cpu cgroup quota: 1.0 is one core); thread pools of
      numeric libraries are sized to it.
    - ``output_bytes_per_run``: what the worker reads from the kernel's stdout for
      one run before it stops reading and kills it. Enforced by the worker's reader,
      not here; kept here so one object holds every limit. The kernel itself keeps
      2 MiB of each run's stream text (kernels/runtime/streams.py), but code can
      write to file descriptor 1 directly. It is also the longest line the reader
      takes; the files a run wrote (``files_written``) are not counted, and come in
      lines of at most half of it (serverkernels/host.py, ``watch_event_bytes``).
    """

    memory_bytes: int = 2 * GiB
    cpu_seconds: int = 3600
    processes: int = 256
    file_size_bytes: int = 1 * GiB
    open_files: int = 1024
    workdir_bytes: int = 1 * GiB
    cpus: float = 1.0
    output_bytes_per_run: int = 16 * MiB

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{item.name} must be a positive number, got {value!r}")

    @property
    def threads(self) -> int:
        """Threads a numeric library's pool may start: the CPU share, rounded up."""
        return max(1, math.ceil(self.cpus))


def format_bytes(count: int) -> str:
    """``2147483648`` -> ``"2 GiB"``, ``1610612736`` -> ``"1.5 GiB"``, for messages."""
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if count >= size:
            return f"{count / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


# ---------------------------------------------------------------------------
# The environment
# ---------------------------------------------------------------------------

_SECRET_WORDS = (
    "SECRET", "PASSWORD", "PASSWD", "TOKEN", "KEY", "CREDENTIAL", "AUTH", "COOKIE", "DSN",
    "DATABASE", "REDIS", "POSTGRES", "SENTRY", "PRIVATE",
)
_SECRET_PREFIXES = (
    "AWS_", "S3_", "PG", "DJANGO_", "CELERY_", "GOOGLE_", "AZURE_", "GH_", "GITHUB_",
)
_CONTROLLED_PREFIXES = ("LD_", "PYTHON")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s]*:[^/@\s]*@")


def child_environment(
    home: str = str(SANDBOX_HOME),
    extra: Mapping[str, str] | None = None,
    *,
    pythonpath: str = str(SANDBOX_RUNTIME),
    threads: int = 1,
) -> dict[str, str]:
    """The kernel's whole environment, built from an allow-list; nothing from ``os.environ``.

    ``home`` and ``pythonpath`` are paths as the child sees them. ``extra`` adds
    variables the caller chose; a name that looks like a secret (``SECRET``, ``TOKEN``,
    ``KEY``, ``AWS_``, ``DATABASE_URL``, ``REDIS``...), a value holding a URL with a
    password, or a name that would change what runs (``LD_*``, ``PYTHON*``, the
    variables set here) raises ``ValueError``.
    """
    count = str(threads)
    env = {
        "PATH": SANDBOX_PATH,
        "HOME": home,
        "USER": SANDBOX_USER,
        "LOGNAME": SANDBOX_USER,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "TMPDIR": "/tmp",
        "PYTHONPATH": pythonpath,
        "PYTHONDONTWRITEBYTECODE": "1",  # the runtime and the environment are read-only
        "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        "XDG_CACHE_HOME": f"{home}/.cache",
        # Thread pools sized to the CPU share, not to the host's cores: threads count
        # against the process limit, and each reserves address space.
        "PYTHON_CPU_COUNT": count,
        "OMP_NUM_THREADS": count,
        "OPENBLAS_NUM_THREADS": count,
        "MKL_NUM_THREADS": count,
        "NUMEXPR_NUM_THREADS": count,
        "POLARS_MAX_THREADS": count,
        "RAYON_NUM_THREADS": count,
    }
    for name, value in (extra or {}).items():
        problem = _environment_problem(name, value, env)
        if problem:
            raise ValueError(f"Refusing environment variable {name!r} for a kernel: {problem}.")
        env[name] = value
    return env


def _environment_problem(name: str, value: str, fixed: Mapping[str, str]) -> str | None:
    upper = name.upper()
    if not _ENV_NAME.match(name):
        return "not a valid variable name"
    if any(word in upper for word in _SECRET_WORDS) or upper.startswith(_SECRET_PREFIXES):
        return "its name looks like a secret or a service's address, which kernels never get"
    if upper.startswith(_CONTROLLED_PREFIXES) or name in fixed:
        return "the sandbox sets it itself"
    if not isinstance(value, str) or "\0" in value:
        return "its value must be text without NUL characters"
    if _URL_WITH_PASSWORD.search(value):
        return "its value is a URL with a password"
    return None


# ---------------------------------------------------------------------------
# What the host offers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CgroupController:
    """One cgroup controller we may use: where session groups for it are made."""

    name: str  # memory, pids, cpu, cpuacct (on v2, cpu.stat, which every group has)
    version: int  # 1 or 2
    parent: Path  # the directory session groups go in


@dataclass(frozen=True)
class SandboxSupport:
    """What :func:`probe` found on this host. Never assumed: each item was tried."""

    bwrap: str | None  # path of the bwrap binary
    bwrap_version: str | None
    bwrap_problem: str | None  # why a sandbox cannot start here; None when it can
    cgroups: tuple[CgroupController, ...]  # the controllers we can make groups in
    cgroup_problems: tuple[str, ...]  # why the others are missing
    is_root: bool

    @property
    def sandbox_works(self) -> bool:
        return self.bwrap_problem is None

    def controller(self, name: str) -> CgroupController | None:
        return next((c for c in self.cgroups if c.name == name), None)

    def unenforced(self) -> list[str]:
        """Limits this host cannot enforce, in words for a log line at the worker's start."""
        missing = []
        if not self.sandbox_works:
            missing.append("isolation (no bubblewrap sandbox)")
        if self.controller("memory") is None:
            missing.append("memory of the session as a whole (only per process, RLIMIT_AS)")
        if self.controller("pids") is None:
            missing.append(
                "processes (RLIMIT_NPROC is ignored for root)" if self.is_root
                else "processes of the session as a whole (only RLIMIT_NPROC)"
            )
        if self.controller("cpu") is None:
            missing.append("CPU share")
        return missing


@functools.lru_cache(maxsize=8)
def probe(*, bwrap: str | None = None, cgroup_parent: str | None = None) -> SandboxSupport:
    """What this host offers, found by trying it once per process (cached).

    ``bwrap``: the bubblewrap binary (default: ``bwrap`` on ``PATH``). It must start a
    sandbox with the options :func:`spawn` uses. ``cgroup_parent``: the cgroup,
    relative to each hierarchy's root, in which session groups are made (default:
    ``playground-kernels`` under the worker's own cgroup; a cgroup v2 host names the
    group delegated to the worker, see docs/security.md).
    """
    path = bwrap if bwrap is not None else shutil.which("bwrap")
    version, problem = _probe_bwrap(path)
    controllers, cgroup_problems = _probe_cgroups(cgroup_parent)
    return SandboxSupport(
        bwrap=path, bwrap_version=version, bwrap_problem=problem, cgroups=controllers,
        cgroup_problems=cgroup_problems, is_root=os.geteuid() == 0,
    )


_INSTALL_BWRAP = "install bubblewrap (Debian: apt-get install bubblewrap)"


def _probe_bwrap(path: str | None) -> tuple[str | None, str | None]:
    if path is None:
        return None, f"bwrap was not found on PATH: {_INSTALL_BWRAP}"
    try:
        version = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, env=_probe_env()
        )
        usage = subprocess.run(
            [path, "--help"], capture_output=True, text=True, timeout=30, env=_probe_env()
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bwrap at {path} does not run ({exc}): {_INSTALL_BWRAP}"
    name = version.stdout.strip() or None
    lacking = [option for option in _BWRAP_OPTIONS_NEEDED if option not in usage.stdout]
    if version.returncode != 0 or lacking:
        return name, (
            f"bwrap at {path} ({name or 'unknown version'}) lacks "
            f"{', '.join(lacking) or 'a version'}: install bubblewrap 0.8 or later"
        )
    options = [*_namespace_options(network=False), *_system_binds()]
    try:
        trial = subprocess.run(
            [path, *options, "--", "true"], capture_output=True, text=True, timeout=60,
            env=_probe_env(), stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return name, f"bwrap at {path} could not start a sandbox: {exc}"
    if trial.returncode != 0:
        return name, (
            f"bwrap at {path} could not start a sandbox here "
            f"({trial.stderr.strip() or trial.returncode}): the host must allow user"
            " namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces"
            " > 0, or an AppArmor profile allowing bwrap)"
        )
    return name, None


def _probe_env() -> dict[str, str]:
    return {"PATH": SANDBOX_PATH, "LANG": "C.UTF-8"}


def _probe_cgroups(
    cgroup_parent: str | None,
) -> tuple[tuple[CgroupController, ...], tuple[str, ...]]:
    try:
        mounts = _cgroup_mounts()
        own = _own_cgroups()
    except OSError as exc:
        return (), (f"cgroups could not be read: {exc}",)
    usable: list[CgroupController] = []
    problems: list[str] = []
    v2 = mounts.get("") if "" in mounts else None
    for name in CGROUP_CONTROLLERS:
        if name in mounts:
            mount_point, mount_root = mounts[name]
            version, own_path = 1, own.get(name)
        elif v2 is not None and name in _v2_available(v2, own.get(""), cgroup_parent):
            (mount_point, mount_root), version, own_path = v2, 2, own.get("")
        else:
            problems.append(f"{name}: no cgroup controller mounted")
            continue
        parent = _group_path(mount_point, mount_root, own_path, cgroup_parent)
        candidate = CgroupController(name=name, version=version, parent=parent)
        problem = _try_group(candidate)
        if problem:
            problems.append(f"{name}: {problem}")
        else:
            usable.append(candidate)
    return tuple(usable), tuple(problems)


def _cgroup_mounts() -> dict[str, tuple[Path, str]]:
    """controller -> (mount point, root of the mount in its hierarchy); v2 is ``""``."""
    mounts: dict[str, tuple[Path, str]] = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        before, _, after = line.partition(" - ")
        parts, tail = before.split(), after.split()
        if len(parts) < 5 or len(tail) < 3:
            continue
        root, point, fstype, options = parts[3], _unescape(parts[4]), tail[0], tail[2]
        if fstype == "cgroup2":
            mounts.setdefault("", (Path(point), root))
        elif fstype == "cgroup":
            for option in options.split(","):
                if option in CGROUP_CONTROLLERS:
                    mounts.setdefault(option, (Path(point), root))
    return mounts


def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path; ``""`` is the v2 path."""
    own: dict[str, str] = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            own[name] = path
    return own


def _v2_available(v2: tuple[Path, str], own_path: str | None, wanted: str | None) -> set[str]:
    """The v2 controllers the parent of the session groups' parent can hand down."""
    mount_point, mount_root = v2
    here = _group_path(mount_point, mount_root, own_path, wanted).parent
    try:
        names = set((here / "cgroup.controllers").read_text().split())
    except OSError:
        return set()
    # cpu.stat (CPU time used) is in every v2 group, with or without the cpu controller.
    return names | {"cpuacct"} if {"memory", "pids"} & names else names


def _group_path(
    mount_point: Path, mount_root: str, own_path: str | None, wanted: str | None
) -> Path:
    """Where session groups go: ``wanted`` if given, else our own group's ``playground-kernels``."""
    path = wanted if wanted is not None else f"{own_path or '/'}/{CGROUP_PARENT_NAME}"
    relative = PurePosixPath(path)
    root = PurePosixPath(mount_root)
    if relative.is_relative_to(root):
        relative = relative.relative_to(root)
    return mount_point / str(relative).lstrip("/")


def _try_group(controller: CgroupController) -> str | None:
    """Make, configure and remove a trial group; the problem, if any."""
    made_parent = False
    try:
        trial = controller.parent / f"probe-{os.getpid()}-{secrets.token_hex(4)}"
        made_parent = _make_group(controller, trial)
        try:
            if controller.version == 2 and controller.name != "cpuacct":
                if controller.name not in (trial / "cgroup.controllers").read_text().split():
                    return f"not delegated to {controller.parent}"
            _configure(controller, trial, Limits())
        finally:
            trial.rmdir()
    except OSError as exc:
        return f"cannot make groups in {controller.parent} ({exc.strerror or exc})"
    finally:
        if made_parent:
            with contextlib.suppress(OSError):
                controller.parent.rmdir()
    return None


def _ensure_parent(controller: CgroupController) -> bool:
    """Make the parent group if it is missing (and, on v2, delegate to it); whether we made it."""
    made = False
    try:
        controller.parent.mkdir(parents=True)
        made = True
    except FileExistsError:
        pass
    if controller.version == 2 and controller.name != "cpuacct":
        for group in (controller.parent.parent, controller.parent):
            control = group / "cgroup.subtree_control"
            if controller.name not in control.read_text().split():
                control.write_text(f"+{controller.name}")
    return made


def _configure(controller: CgroupController, group: Path, limits: Limits) -> None:
    """Write ``limits`` into a session group of ``controller``."""
    name, v1 = controller.name, controller.version == 1
    if name == "memory":
        if v1:
            (group / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
            # With swap accounting, also memory + swap, so swap is no way around the limit.
            with contextlib.suppress(FileNotFoundError):
                (group / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_bytes))
        else:
            (group / "memory.max").write_text(str(limits.memory_bytes))
            with contextlib.suppress(FileNotFoundError):
                (group / "memory.swap.max").write_text("0")
            # One process past the limit takes the whole session down, not a random child.
            (group / "memory.oom.group").write_text("1")
    elif name == "pids":
        (group / "pids.max").write_text(str(limits.processes))
    elif name == "cpu":
        quota = max(1000, int(limits.cpus * _CPU_PERIOD_US))
        if v1:
            (group / "cpu.cfs_period_us").write_text(str(_CPU_PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {_CPU_PERIOD_US}")


# ---------------------------------------------------------------------------
# A session's cgroups
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Counters of a session's cgroups: which limits it ran into."""

    oom_kills: int = 0  # processes the memory limit killed
    processes_refused: int = 0  # forks and threads the process limit refused
    cpu_seconds: float | None = None  # CPU time of the whole session, when accounted
    memory_bytes: int | None = None  # memory the session uses now (its tmpfs files too)


class _SessionCgroups:
    """The groups of one session, one per controller (one directory on cgroup v2)."""

    def __init__(self, groups: dict[str, tuple[CgroupController, Path]]) -> None:
        self.groups = groups

    @classmethod
    def create(cls, controllers: Sequence[CgroupController], limits: Limits) -> _SessionCgroups:
        name = f"kernel-{os.getpid()}-{secrets.token_hex(6)}"
        made = cls({})
        try:
            for controller in controllers:
                group = controller.parent / name
                if not group.exists():
                    _make_group(controller, group)
                made.groups[controller.name] = (controller, group)
                _configure(controller, group, limits)
        except OSError as exc:
            made.remove()
            raise SandboxUnavailable(f"Could not set up the kernel's cgroups: {exc}") from exc
        return made

    @property
    def directories(self) -> list[Path]:
        return list(dict.fromkeys(group for _, group in self.groups.values()))

    def procs_files(self) -> list[str]:
        return [str(group / "cgroup.procs") for group in self.directories]

    def usage(self) -> Usage:
        oom = refused = 0
        cpu: float | None = None
        memory: int | None = None
        if "memory" in self.groups:
            controller, group = self.groups["memory"]
            name = "memory.oom_control" if controller.version == 1 else "memory.events"
            oom = _keyed(group / name).get("oom_kill", 0)
            current = "memory.usage_in_bytes" if controller.version == 1 else "memory.current"
            with contextlib.suppress(OSError, ValueError):
                memory = int((group / current).read_text())
        if "pids" in self.groups:
            refused = _keyed(self.groups["pids"][1] / "pids.events").get("max", 0)
        if "cpuacct" in self.groups:
            controller, group = self.groups["cpuacct"]
            if controller.version == 1:
                with contextlib.suppress(OSError, ValueError):
                    cpu = int((group / "cpuacct.usage").read_text()) / 1e9
            elif "usage_usec" in (stat := _keyed(group / "cpu.stat")):
                cpu = stat["usage_usec"] / 1e6
        return Usage(oom_kills=oom, processes_refused=refused, cpu_seconds=cpu,
                     memory_bytes=memory)

    def remove(self, timeout: float = 30.0) -> list[Path]:
        """Kill what is left in the groups and remove them; the groups that would not go."""
        left: list[Path] = []
        for group in reversed(self.directories):
            if not _remove_group(group, timeout):
                left.append(group)
        for controller, _ in self.groups.values():
            with contextlib.suppress(OSError):  # shared by other sessions, or already gone
                controller.parent.rmdir()
        return left


_SESSION_GROUP = re.compile(r"kernel-(\d+)-[0-9a-f]+\Z")


def remove_stale_cgroups(
    support: SandboxSupport | None = None, *, created_by: int | None = None
) -> list[Path]:
    """Remove session groups whose worker died without cleaning up; call it when a worker starts.

    A group's name holds the pid of the process that made it; the group is stale once
    that process is gone (``created_by``: only that pid's). Whatever still runs in a
    stale group is killed. Returns the groups removed.
    """
    support = support if support is not None else probe()
    removed: list[Path] = []
    for controller in support.cgroups:
        try:
            groups = sorted(controller.parent.iterdir())
        except OSError:
            continue
        for group in groups:
            match = _SESSION_GROUP.match(group.name)
            if match is None or not group.is_dir():
                continue
            pid = int(match.group(1))
            if (created_by is not None and pid != created_by) or _alive(pid):
                continue
            if _remove_group(group, timeout=30.0):
                removed.append(group)
        with contextlib.suppress(OSError):
            controller.parent.rmdir()
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_group(controller: CgroupController, group: Path) -> bool:
    """Make ``group`` (and its parent if needed); whether the parent was made too."""
    # Another session's cleanup may remove the shared parent between our two mkdirs.
    for _ in range(5):
        made_parent = _ensure_parent(controller)
        try:
            group.mkdir()
            return made_parent
        except FileNotFoundError:
            continue
    group.mkdir()
    return False


def _remove_group(group: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        kill = group / "cgroup.kill"
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1")
        else:
            for pid in _pids(group):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        try:
            group.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                logger.error("could not remove the kernel cgroup %s: %s", group, exc)
                return False
        # Killed processes leave the group once their parent has reaped them.
        time.sleep(0.01)


def _pids(group: Path) -> list[int]:
    try:
        return [int(line) for line in (group / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _keyed(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                values[key] = int(value)
    return values


# ---------------------------------------------------------------------------
# The sandbox's file system
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _PythonLayout:
    executable: str  # the interpreter binary, symlinks resolved
    base_prefix: str
    venv: str | None  # the virtualenv's directory, when ``python`` is one


@functools.lru_cache(maxsize=8)
def _python_layout(python: str) -> _PythonLayout:
    found = subprocess.run(
        [python, "-I", "-c",
         "import json, os, sys; print(json.dumps([os.path.realpath(sys.executable),"
         " sys.base_prefix, sys.prefix]))"],
        capture_output=True, text=True, timeout=60, env=_probe_env(), check=True,
    )
    executable, base_prefix, prefix = json.loads(found.stdout)
    return _PythonLayout(executable, base_prefix, prefix if prefix != base_prefix else None)


def _namespace_options(*, network: bool) -> list[str]:
    options = [
        "--unshare-all",  # user, pid, network, ipc, uts, cgroup (and mount, always)
        "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
        "--disable-userns",  # no nested user namespaces: less kernel surface inside
        "--die-with-parent",
        "--new-session",  # no TIOCSTI into the worker's terminal
        "--hostname", "kernel",
    ]
    if network:
        options.append("--share-net")
    return options


def _system_binds() -> list[str]:
    """System files the interpreter needs, read-only; the host's top-level links kept as links."""
    options = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            options += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            options += ["--ro-bind", top, top]
    options += [
        "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--ro-bind-try", "/etc/mime.types", "/etc/mime.types",
        "--ro-bind-try", "/etc/fonts", "/etc/fonts",
        "--proc", "/proc",
        "--dev", "/dev",
    ]
    return options


# What a kernel with network access needs to resolve names and check certificates.
_NETWORK_FILES = (
    "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf",
    "/etc/ssl", "/etc/ca-certificates",
)


class _Data:
    """Files handed to bwrap through descriptors (memfds), closed once it has started."""

    def __init__(self) -> None:
        self.fds: list[int] = []

    def fd(self, content: bytes, name: str) -> str:
        fd = os.memfd_create(name, os.MFD_CLOEXEC)  # pass_fds opens it to bwrap only
        self.fds.append(fd)
        os.write(fd, content)
        os.lseek(fd, 0, os.SEEK_SET)
        return str(fd)

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds.clear()


def _sandbox_options(
    *, layout: _PythonLayout, runtime_root: Path, workdir: Path | None, limits: Limits,
    network: bool, data: _Data, extras: Path | None = None,
) -> list[str]:
    options = [*_namespace_options(network=network), *_system_binds()]
    passwd = (
        f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
        f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_GID}:{SANDBOX_USER}:{SANDBOX_HOME}:/bin/sh\n"
        f"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
    group = f"root:x:0:\n{SANDBOX_USER}:x:{SANDBOX_GID}:\nnogroup:x:65534:\n"
    options += ["--ro-bind-data", data.fd(passwd.encode(), "passwd"), "/etc/passwd"]
    options += ["--ro-bind-data", data.fd(group.encode(), "group"), "/etc/group"]
    if network:
        for path in _NETWORK_FILES:
            options += ["--ro-bind-try", path, path]
    # The interpreter's own installation, at its own path (its binary finds libpython
    # there); /usr is already in.
    if not PurePosixPath(layout.base_prefix).is_relative_to("/usr"):
        options += ["--ro-bind", layout.base_prefix, layout.base_prefix]
    # The virtualenv rebuilt at a neutral path from its `lib` and `pyvenv.cfg` only:
    # the worker's venv may sit inside the repository, whose other files (settings,
    # var/, .env) must stay out of sight.
    if layout.venv is not None:
        venv = Path(layout.venv)
        options += ["--ro-bind", str(venv / "lib"), f"{SANDBOX_VENV}/lib"]
        lib64 = venv / "lib64"
        if lib64.is_dir() and not lib64.is_symlink():
            options += ["--ro-bind", str(lib64), f"{SANDBOX_VENV}/lib64"]
        else:
            options += ["--symlink", "lib", f"{SANDBOX_VENV}/lib64"]
        config = data.fd(_venv_config(venv / "pyvenv.cfg"), "pyvenv.cfg")
        options += ["--ro-bind-data", config, f"{SANDBOX_VENV}/pyvenv.cfg"]
    options += ["--symlink", layout.executable, str(SANDBOX_PYTHON)]
    options += ["--symlink", "python", f"{SANDBOX_VENV}/bin/python3"]
    options += ["--ro-bind", str(runtime_root / "kernels"), f"{SANDBOX_RUNTIME}/kernels"]
    if extras is not None:
        # Read-only inside; the worker adds packages from outside while the kernel runs.
        options += ["--ro-bind", str(extras), str(SANDBOX_EXTRAS)]
    if workdir is None:
        options += ["--size", str(limits.workdir_bytes), "--tmpfs", str(SANDBOX_HOME)]
    else:
        options += ["--bind", str(workdir), str(SANDBOX_HOME)]
    # Scratch space of the same size: /tmp, and /dev/shm (multiprocessing's semaphores
    # and shared memory).
    options += ["--size", str(limits.workdir_bytes), "--tmpfs", "/tmp"]
    options += ["--size", str(limits.workdir_bytes), "--tmpfs", "/dev/shm"]
    options += ["--symlink", "/tmp", "/var/tmp"]
    # bwrap's root and /dev are tmpfs without a size: only the mounts above take files.
    options += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", str(SANDBOX_HOME)]
    return options


def _venv_config(path: Path) -> bytes:
    """The virtualenv's pyvenv.cfg without the lines that name its host path."""
    keep = ("home", "include-system-site-packages", "version")
    lines = [line for line in path.read_text().splitlines()
             if line.partition("=")[0].strip() in keep]
    return ("\n".join(lines) + "\n").encode()


# Sets the rlimits, then becomes the kernel. Runs with -I -S: nothing from the
# environment or site-packages is imported before the limits hold.
_RLIMIT_WRAPPER = """\
import os, resource, sys
for name, soft, hard in {limits!r}:
    which = getattr(resource, name)
    current = resource.getrlimit(which)[1]
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""


def _rlimits(limits: Limits) -> list[tuple[str, int, int]]:
    return [
        ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + CPU_GRACE_SECONDS),
        ("RLIMIT_NPROC", limits.processes, limits.processes),
        ("RLIMIT_FSIZE", limits.file_size_bytes, limits.file_size_bytes),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("RLIMIT_CORE", 0, 0),
    ]


def _wrapped(python: str, python_args: Sequence[str], limits: Limits) -> list[str]:
    code = _RLIMIT_WRAPPER.format(limits=_rlimits(limits))
    return [python, "-I", "-S", "-c", code, *python_args]


# Joins the session's cgroups, then becomes bwrap: everything bwrap starts is born
# inside the groups (no window in which a fork escapes them), without preexec_fn,
# which is unsafe in a worker that runs threads.
_JOIN_CGROUPS = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


# ---------------------------------------------------------------------------
# Starting a kernel
# ---------------------------------------------------------------------------

_FileArg = int | IO[Any] | None


def spawn(
    python_args: Sequence[str],
    *,
    runtime_root: Path,
    limits: Limits,
    workdir: Path | None = None,
    python: str = sys.executable,
    network: bool = False,
    env: Mapping[str, str] | None = None,
    allow_unsandboxed: bool = False,
    support: SandboxSupport | None = None,
    stdin: _FileArg = subprocess.PIPE,
    stdout: _FileArg = subprocess.PIPE,
    stderr: _FileArg = subprocess.PIPE,
    extras: Path | None = None,
) -> SandboxedProcess:
    """Start ``python python_args...`` (e.g. :data:`KERNEL_ARGS`) in a sandbox.

    - ``runtime_root``: the directory holding the ``kernels`` package; only that
      package is visible, read-only, at ``/opt/playground/kernels``.
    - ``workdir``: ``None`` (recommended) gives the kernel a private tmpfs home of
      ``limits.workdir_bytes``, gone with the kernel; a host directory is mounted
      read-write as the home instead and outlives it, but its total size is then
      only bounded by the host (a quota'd file system), each file by
      ``limits.file_size_bytes``.
    - ``python``: the interpreter (and its virtualenv) the kernel runs on.
    - ``network``: share the *host's* network namespace, loopback services included;
      off by default, see docs/security.md before turning it on.
    - ``env``: extra environment variables, filtered by :func:`child_environment`.
    - ``allow_unsandboxed``: without a working bubblewrap, run the kernel with
      rlimits, cgroups and the filtered environment only, instead of raising
      :class:`SandboxUnavailable`. For development machines; logged as a warning.
    - ``support``: what :func:`probe` found (default: ``probe()``).
    - ``extras``: a host directory of extra pure-Python packages, mounted read-only
      at ``/opt/extras`` and put on the kernel's ``sys.path`` after the runtime
      (before the environment's site-packages). The caller may add packages to it
      while the kernel runs (serverkernels/extras.py); the kernel can never write it.

    The caller owns the returned process: read its stdout (at most
    ``limits.output_bytes_per_run`` per run), and call
    :meth:`SandboxedProcess.cleanup` when done.

    Call it from a thread that outlives the kernel (the task's own thread, or the
    main thread): bwrap's ``--die-with-parent`` is the kernel's parent-death
    signal, and Linux sends it when the *thread* that started bwrap ends, so a
    kernel spawned from a short-lived thread is killed with it.
    """
    support = support if support is not None else probe()
    runtime_root = Path(runtime_root).resolve()
    if not (runtime_root / "kernels" / "__init__.py").is_file():
        raise ValueError(f"{runtime_root} does not hold the kernels package")
    if workdir is not None and not Path(workdir).is_dir():
        raise ValueError(f"the kernel's working directory {workdir} is not a directory")
    if extras is not None and not Path(extras).is_dir():
        raise ValueError(f"the kernel's extras directory {extras} is not a directory")
    sandboxed = support.sandbox_works
    if not sandboxed and not allow_unsandboxed:
        raise SandboxUnavailable(
            f"Server kernels run in a bubblewrap sandbox, and this host cannot start one: "
            f"{support.bwrap_problem}."
        )
    cgroups = _SessionCgroups.create(support.cgroups, limits) if support.cgroups else None
    scratch: Path | None = None
    data = _Data()
    try:
        if sandboxed:
            assert support.bwrap is not None
            layout = _python_layout(python)
            options = _sandbox_options(
                layout=layout, runtime_root=runtime_root,
                workdir=Path(workdir).resolve() if workdir is not None else None,
                limits=limits, network=network, data=data,
                extras=Path(extras).resolve() if extras is not None else None,
            )
            pythonpath = str(SANDBOX_RUNTIME)
            if extras is not None:
                pythonpath += f":{SANDBOX_EXTRAS}"
            child_env = child_environment(
                extra=env, pythonpath=pythonpath, threads=limits.threads
            )
            argv = [support.bwrap, "--args", data.fd(_nul_separated(options), "bwrap-args"),
                    "--", *_wrapped(str(SANDBOX_PYTHON), python_args, limits)]
            cwd: Path | None = None
        else:
            logger.warning("starting a kernel WITHOUT a sandbox: %s", support.bwrap_problem)
            if workdir is None:
                scratch = Path(tempfile.mkdtemp(prefix="kernel-home-"))
            home = Path(workdir) if workdir is not None else scratch
            assert home is not None
            pythonpath = str(runtime_root)
            if extras is not None:
                pythonpath += f":{Path(extras).resolve()}"
            child_env = child_environment(
                home=str(home), extra=env, pythonpath=pythonpath, threads=limits.threads
            )
            child_env["PATH"] = f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin"
            argv = _wrapped(python, python_args, limits)
            cwd = home
        if cgroups is not None:
            argv = ["/bin/sh", "-c", _JOIN_CGROUPS, "sh", *cgroups.procs_files(), "--", *argv]
        popen = subprocess.Popen(
            argv, stdin=stdin, stdout=stdout, stderr=stderr, env=child_env, cwd=cwd,
            pass_fds=tuple(data.fds), start_new_session=True,
        )
    except BaseException:
        if cgroups is not None:
            cgroups.remove()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        raise
    finally:
        data.close()
    return SandboxedProcess(popen, limits=limits, sandboxed=sandboxed, cgroups=cgroups,
                            scratch=scratch)


def _nul_separated(options: Sequence[str]) -> bytes:
    return b"".join(option.encode() + b"\0" for option in options)


class SandboxedProcess:
    """A running sandboxed kernel: the ``Popen`` of its launcher plus its cgroups.

    ``popen`` is bwrap (the kernel's parent, in the host's pid namespace); its pipes
    are the kernel's. Stop it with :meth:`kill`; say why it stopped with
    :meth:`classify_exit`; always end with :meth:`cleanup` (or use ``with``).
    """

    def __init__(
        self, popen: subprocess.Popen[bytes], *, limits: Limits, sandboxed: bool,
        cgroups: _SessionCgroups | None, scratch: Path | None = None,
    ) -> None:
        self.popen = popen
        self.limits = limits
        self.sandboxed = sandboxed
        self._cgroups = cgroups
        self._scratch = scratch
        self._stopped_by_us = False
        self._final_usage: Usage | None = None
        self.leftover_cgroups: list[Path] = []

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def stdin(self) -> IO[bytes] | None:
        return self.popen.stdin

    @property
    def stdout(self) -> IO[bytes] | None:
        return self.popen.stdout

    @property
    def stderr(self) -> IO[bytes] | None:
        return self.popen.stderr

    @property
    def cgroup_paths(self) -> list[Path]:
        return self._cgroups.directories if self._cgroups is not None else []

    def poll(self) -> int | None:
        return self.popen.poll()

    def wait(self, timeout: float | None = None) -> int:
        return self.popen.wait(timeout)

    def kill(self) -> None:
        """Stop the kernel and everything it started (a stop the user asked for)."""
        if self.popen.poll() is None:
            self._stopped_by_us = True  # not when a limit has already ended it
            # bwrap's death takes the sandbox's pid 1, and so every process in it, along.
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
        if self._cgroups is not None:
            for group in self._cgroups.directories:
                for pid in _pids(group):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)

    def usage(self) -> Usage:
        """What the session's cgroups counted (zeros without cgroups)."""
        if self._final_usage is not None:
            return self._final_usage
        return self._cgroups.usage() if self._cgroups is not None else Usage()

    def exit_signal(self) -> int | None:
        """The signal that ended the kernel, if one did (bwrap reports it as 128 + n)."""
        code = self.popen.poll()
        if code is None:
            return None
        if self.sandboxed:
            return code - 128 if 128 < code < 128 + 65 else None
        return -code if code < 0 else None  # the kernel itself (the launchers exec)

    def classify_exit(self) -> str | None:
        """The message for the user when a limit stopped the kernel; ``None`` otherwise.

        ``None`` while it runs, after a normal exit, and after :meth:`kill`.
        """
        if self.popen.poll() is None or self._stopped_by_us:
            return None
        sig = self.exit_signal()
        usage = self.usage()
        limits = self.limits
        if sig == signal.SIGKILL and usage.oom_kills:
            return (f"The kernel was stopped: it used more than its "
                    f"{format_bytes(limits.memory_bytes)} memory limit. Restart it, and work "
                    f"on less data at once.")
        cpu_used = usage.cpu_seconds is not None and usage.cpu_seconds >= limits.cpu_seconds
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_used):
            return (f"The kernel was stopped: it used up its CPU time limit of "
                    f"{limits.cpu_seconds} s. Restart it to go on.")
        if sig == signal.SIGXFSZ:
            return (f"The kernel was stopped: it wrote a file larger than its "
                    f"{format_bytes(limits.file_size_bytes)} file size limit. Restart it, "
                    f"and write smaller files.")
        if self.popen.returncode != 0 and usage.processes_refused:
            return (f"The kernel was stopped after it tried to run more than "
                    f"{limits.processes} processes and threads at once, its limit. Restart "
                    f"it, and start fewer processes.")
        return None

    def cleanup(self) -> None:
        """Kill what is left, keep the cgroups' counters, remove the groups and any scratch home."""
        if self.popen.poll() is None:
            self.kill()
        self.popen.wait()
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._cgroups is not None and self._final_usage is None:
            self._final_usage = self._cgroups.usage()
            self.leftover_cgroups = self._cgroups.remove()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> SandboxedProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cleanup()
