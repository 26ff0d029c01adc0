"""Server kernels install the pure-Python packages their cells import (serverkernels/extras.py).

A real package index on loopback (tests/packages/upstream_index.py) serves real
wheels built here (tests/browser/wheel_index.py); pip runs as a real process. The
first tests drive ``KernelExtras`` in process, the kernel's interpreter being this
one; the last ones go through a real kernel worker and its sandboxed kernel, with
frames read from the session's stream. Nothing waits on the clock: a stalled
download is held on an event the test never sets, and the install's own time limit
ends it.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy
import pytest

from serverkernels import services
from serverkernels.extras import CellCodes, ExtrasConfig, KernelExtras, kernel_environment
from serverkernels.sandbox import format_bytes
from tests.browser.wheel_index import (
    NEEDS_NATIVE_PROJECT,
    PURE_GREETING,
    PURE_PROJECT,
    build_pure_wheel,
    build_test_projects,
)
from tests.factories import notebook_make, user_make
from tests.packages.upstream_index import UpstreamIndex
from tests.serverkernels.frames import Frames, event_of
from tests.serverkernels.test_sessions import outputs, run_cell, started
from tests.serverkernels.workers import KernelWorker

pytestmark = pytest.mark.subprocess

Notice = dict[str, str]
MISSING = "pgtest_no_such_thing"


def _project(filename: str) -> str:
    return filename.split("-", 1)[0].replace("_", "-").lower()


@pytest.fixture
def index(tmp_path: Path) -> Iterator[UpstreamIndex]:
    """The browser tests' projects, and more: one needing a package the kernel's
    environment has (six), one needing a pure package it lacks, a large one, and two
    needing different versions of a third."""
    dist = tmp_path / "dist"
    dist.mkdir()
    build_test_projects(dist)
    build_pure_wheel(dist, name="pgtest_uses_six", version="1.0",
                     modules={"pgtest_uses_six/__init__.py": "import six\n"}, requires=("six",))
    build_pure_wheel(dist, name="pgtest_uses_hello", version="2.0",
                     modules={"pgtest_uses_hello.py": "from pgtest_hello import hello\n"},
                     requires=(PURE_PROJECT,))
    build_pure_wheel(dist, name="pgtest_big", version="1.0",
                     modules={"pgtest_big.py": f"# {'x' * 200_000}\n"})
    for version in ("1.0", "2.0"):
        build_pure_wheel(dist, name="pgtest_lib", version=version,
                         modules={"pgtest_lib.py": f"VERSION = {version!r}\n"})
    build_pure_wheel(dist, name="pgtest_old", version="1.0",
                     modules={"pgtest_old.py": "import pgtest_lib\n"}, requires=("pgtest_lib<2",))
    build_pure_wheel(dist, name="pgtest_new", version="1.0",
                     modules={"pgtest_new.py": "import pgtest_lib\n"}, requires=("pgtest_lib>=2",))
    served = UpstreamIndex(page_format="json")
    for file in sorted(dist.iterdir()):
        served.add_wheel(_project(file.name), file.name, data=file.read_bytes())
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    compiled = f"pgtest_compiled-1.0-{tag}-{tag}-manylinux_2_17_{platform.machine()}.whl"
    served.add_wheel("pgtest-compiled", compiled)
    served.add_wheel("pgtest-compiled", "pgtest_compiled-1.0.tar.gz", data=b"not built")
    served.start()
    yield served
    served.stop()


@pytest.fixture
def extras_for(tmp_path: Path) -> Iterator[Callable[..., tuple[KernelExtras, list[Notice]]]]:
    """``extras_for(index, **config)``: a kernel's extras and the notices it sent."""
    made: list[KernelExtras] = []

    def make(index: UpstreamIndex, **config: Any) -> tuple[KernelExtras, list[Notice]]:
        notices: list[Notice] = []
        extras = KernelExtras(ExtrasConfig(index_url=index.url, **config),
                              python=sys.executable, notify=notices.append, parent=tmp_path)
        made.append(extras)
        return extras, notices

    yield make
    for extras in made:
        extras.cleanup()
        assert not extras.root.exists()


def run(extras: KernelExtras, cell_id: str, code: str) -> None:
    """The commands a page sends to run a cell, through the extras as the worker passes them."""
    for command in ({"type": "create_cell", "cell_id": cell_id, "code": code},
                    {"type": "update_cell", "cell_id": cell_id, "code": code},
                    {"type": "run", "cell_ids": [cell_id]}):
        extras.before_command(json.dumps(command))


def page_requests(index: UpstreamIndex, project: str) -> int:
    return index.requests[f"/simple/{project}/"]


# -- what the kernel has, and which cells a command runs


def test_the_kernel_environment_counts_modules_packages_namespaces_and_the_runtime() -> None:
    found = kernel_environment(sys.executable)
    # A module, packages, a namespace package (no __init__.py), a built-in module,
    # the runtime and what it serves itself.
    assert {"six", "numpy", "json", "mpl_toolkits", "sys", "kernels", "marimo"} <= found.modules
    assert PURE_PROJECT not in found.modules
    assert {"json", "tkinter"} <= found.stdlib
    assert found.distributions["numpy"] == numpy.__version__
    assert found.python_version == "{}.{}".format(*sys.version_info[:2])
    assert f"numpy=={numpy.__version__}" in found.constraints()


def test_the_cells_a_command_may_run_are_the_browsers() -> None:
    cells = CellCodes()
    cells.track({"type": "create_cell", "cell_id": "a", "code": "import six"})
    cells.track({"type": "create_cell", "cell_id": "m", "code": "# notes", "kind": "markdown"})
    cells.track({"type": "create_cell", "cell_id": "b"})
    cells.track({"type": "create_cell", "cell_id": "a", "code": "ignored: a exists"})
    cells.track({"type": "update_cell", "cell_id": "b", "code": "import attr"})
    everything = [("a", "import six"), ("b", "import attr")]
    for command in ({"type": "run", "cell_ids": ["a"]}, {"type": "run_all"},
                    {"type": "run_stale"},
                    {"type": "update_cell", "cell_id": "a", "config": {"disabled": True}}):
        assert cells.about_to_run(command) == everything
    for command in ({"type": "update_cell", "cell_id": "a", "code": "import six"},
                    {"type": "interrupt"}, {"type": "move_cell", "cell_id": "a", "index": 1}):
        assert cells.about_to_run(command) == []
    cells.track({"type": "delete_cell", "cell_id": "a"})
    assert cells.about_to_run({"type": "delete_cell", "cell_id": "a"}) == [("b", "import attr")]


# -- installing, in process


def test_a_missing_package_is_installed_once_with_a_notice_before_and_after(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    extras, notices = extras_for(index)
    # What the environment has, and imports guarded by try/except, ask nothing.
    run(extras, "env", "import numpy, json, mpl_toolkits\ntry:\n    import pgtest_optional\n"
        "except ImportError:\n    pass")
    assert notices == [] and index.page_requests() == 0

    run(extras, "a", f"import {PURE_PROJECT}\n{PURE_PROJECT}.hello()")
    assert notices == [
        {"cell_id": "a", "level": "progress", "text": f"installing {PURE_PROJECT}…"},
        {"cell_id": "a", "level": "info", "text": f"installed {PURE_PROJECT} 1.0"},
    ]
    assert (extras.directory / PURE_PROJECT / "__init__.py").is_file()
    assert PURE_PROJECT in extras.installed_modules()
    # Nothing but packages in the mounted directory: pip's home and temporary files are beside it.
    assert {p.name for p in extras.directory.iterdir()} == {
        PURE_PROJECT, "pgtest_hello-1.0.dist-info"}
    asked = index.page_requests()
    notices.clear()
    run(extras, "a", f"import {PURE_PROJECT}")
    run(extras, "b", f"from {PURE_PROJECT} import hello")
    assert notices == [] and index.page_requests() == asked


def test_dependencies_come_along_and_what_the_environment_has_is_kept(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    extras, notices = extras_for(index)
    run(extras, "a", "import pgtest_uses_six\nimport pgtest_uses_hello")
    assert notices[-1] == {"cell_id": "a", "level": "info", "text": (
        "installed pgtest_uses_six 1.0\ninstalled pgtest_uses_hello 2.0 (with pgtest-hello 1.0)"
    )}
    # six is the environment's: neither asked for (the index has none) nor installed again.
    assert index.requests["/simple/six/"] == 0
    assert sorted(extras.installed_modules()) == [
        PURE_PROJECT, "pgtest_uses_hello", "pgtest_uses_six"]
    notices.clear()
    run(extras, "b", f"import {PURE_PROJECT}")
    assert notices == []


def test_what_was_installed_for_the_kernel_is_kept_too(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    extras, notices = extras_for(index)
    run(extras, "a", "import pgtest_old")
    assert notices[-1]["text"] == "installed pgtest_old 1.0 (with pgtest-lib 1.0)"
    # pgtest_new needs pgtest_lib 2, which would replace the 1.0 pgtest_old needs: refused.
    run(extras, "b", "import pgtest_new")
    assert notices[-1] == {"cell_id": "b", "level": "error", "text": (
        'could not install pgtest_new for "import pgtest_new": pgtest_new needs versions of '
        "other packages that conflict with what the kernel has"
    )}
    assert extras.installed_modules() == {"pgtest_old", "pgtest_lib"}
    assert "VERSION = '1.0'" in (extras.directory / "pgtest_lib.py").read_text()


def test_what_cannot_be_installed_is_said_per_cell_and_tried_once(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    extras, notices = extras_for(index)
    run(extras, "a", f"import {MISSING}")
    run(extras, "b", f"import {NEEDS_NATIVE_PROJECT}\nimport {MISSING}")
    missing = (f'could not install {MISSING} for "import {MISSING}": there is no project '
               f"named {MISSING} on the package index")
    native = (f'could not install {NEEDS_NATIVE_PROJECT} for "import {NEEDS_NATIVE_PROJECT}": '
              f"{NEEDS_NATIVE_PROJECT} needs pgtest_native, and the package index has no "
              "pure-Python wheel of it")
    assert notices == [
        {"cell_id": "a", "level": "progress", "text": f"installing {MISSING}…"},
        {"cell_id": "a", "level": "error", "text": missing},
        # Running b may run a too (as in the browser: every cell counts): a's import is
        # not tried again, and a is told again why it fails.
        {"cell_id": "b", "level": "progress", "text": f"installing {NEEDS_NATIVE_PROJECT}…"},
        {"cell_id": "a", "level": "error", "text": missing},
        {"cell_id": "b", "level": "error", "text": f"{native}\n{missing}"},
    ]
    assert page_requests(index, "pgtest-no-such-thing") == 1
    # A wheel compiled for this very interpreter and machine, and an sdist: neither is taken.
    run(extras, "c", "import pgtest_compiled")
    assert notices[-1] == {"cell_id": "c", "level": "error", "text": (
        'could not install pgtest_compiled for "import pgtest_compiled": the package index has '
        "no pure-Python wheel of pgtest_compiled for this kernel's Python, and only pure-Python "
        "packages can be added to a server kernel"
    )}
    assert list(extras.directory.iterdir()) == []


def test_the_size_limit_holds_to_the_byte(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    measured, _ = extras_for(index)
    run(measured, "a", f"import {PURE_PROJECT}")
    size = sum(path.stat().st_size for path in measured.directory.rglob("*") if path.is_file())

    exactly, notices = extras_for(index, max_bytes=size)
    run(exactly, "a", f"import {PURE_PROJECT}")
    assert notices[-1]["level"] == "info"
    # Full now: one more package, however small, is refused, and the first one stays.
    run(exactly, "b", "import pgtest_big")
    assert notices[-1]["level"] == "error"
    assert "may take" in notices[-1]["text"]
    assert exactly.installed_modules() == {PURE_PROJECT}

    short, notices = extras_for(index, max_bytes=size - 1)
    run(short, "a", f"import {PURE_PROJECT}")
    assert notices[-1] == {"cell_id": "a", "level": "error", "text": (
        f'could not install {PURE_PROJECT} for "import {PURE_PROJECT}": it takes '
        f"{format_bytes(size)}, and the packages installed for one kernel may take "
        f"{format_bytes(size - 1)} in all (0 bytes used)"
    )}
    assert list(short.directory.iterdir()) == []


def test_an_install_past_its_time_is_stopped_and_tried_again_on_the_next_run(
    index: UpstreamIndex, extras_for: Callable[..., tuple[KernelExtras, list[Notice]]]
) -> None:
    # The first wheel download sends ten bytes, then stalls until the test ends.
    stall = threading.Event()
    index.gate_after_bytes = 10
    index.on_body = lambda: setattr(index, "gate", stall)
    extras, notices = extras_for(index, install_seconds=5)
    run(extras, "a", f"import {PURE_PROJECT}")
    assert notices[-1] == {"cell_id": "a", "level": "error", "text": (
        f'could not install {PURE_PROJECT} for "import {PURE_PROJECT}": it took longer than 5 s, '
        "and was stopped; try again later"
    )}
    assert list(extras.directory.iterdir()) == []
    # pip, and the interpreter it may have started, are gone.
    root = str(extras.root).encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        assert root not in command, command
    # Not remembered: the next run tries again (and now the download goes through).
    index.on_body = None
    index.gate = None
    stall.set()
    run(extras, "a", f"import {PURE_PROJECT}")
    assert notices[-2:] == [
        {"cell_id": "a", "level": "progress", "text": f"installing {PURE_PROJECT}…"},
        {"cell_id": "a", "level": "info", "text": f"installed {PURE_PROJECT} 1.0"},
    ]


# -- through a worker and its sandboxed kernel

Workers = Callable[..., KernelWorker]


def notices_of(frames: Frames, cell_id: str, start: int = 0) -> list[tuple[str, str]]:
    return [(f["notice"]["level"], f["notice"]["text"]) for f in frames.frames[start:]
            if "notice" in f and f["notice"]["cell_id"] == cell_id]


def position(frames: Frames, predicate: Callable[[dict[str, Any]], bool], start: int) -> int:
    return next(i for i, frame in enumerate(frames.frames) if i >= start and predicate(frame))


@pytest.mark.django_db(transaction=True)
def test_a_server_kernel_imports_what_its_worker_installed_for_it(
    workers: Workers, index: UpstreamIndex
) -> None:
    workers(slots=1, KERNEL_WHEELS_INDEX_URL=index.url)
    session, frames = started(notebook_make(user_make()))

    # What the environment has installs nothing.
    done = run_cell(session, frames, "env", "import numpy, json\nnumpy.__name__")
    assert done["failed"] == [] and outputs(frames, "env") == ["'numpy'"]
    assert not any("notice" in frame for frame in frames.frames)
    assert index.page_requests() == 0

    start = len(frames.frames)
    done = run_cell(session, frames, "a", f"import {PURE_PROJECT}\n{PURE_PROJECT}.hello()")
    assert done["failed"] == []
    assert outputs(frames, "a", start) == [repr(PURE_GREETING)]
    assert notices_of(frames, "a", start) == [
        ("progress", f"installing {PURE_PROJECT}…"), ("info", f"installed {PURE_PROJECT} 1.0")]
    # The notices come before the cell runs.
    installed = position(frames, lambda f: f.get("notice", {}).get("level") == "info", start)
    assert installed < position(frames, event_of("cell_status", cell_id="a", status="running"),
                                start)

    # Inside the sandbox the package is read-only.
    start = len(frames.frames)
    run_cell(session, frames, "ro", (
        f"import pathlib as _pathlib\n_path = _pathlib.Path({PURE_PROJECT}.__file__)\n"
        "try:\n    _path.write_text('changed')\nexcept OSError as _error:\n"
        "    _refused = (str(_path), _error.errno)\n_refused"
    ))
    assert outputs(frames, "ro", start) == [f"('/opt/extras/{PURE_PROJECT}/__init__.py', 30)"]

    # What the index does not have: an error notice, and the cell fails as usual.
    start = len(frames.frames)
    done = run_cell(session, frames, "b", f"import {MISSING}")
    assert done["failed"] == ["b"]
    assert notices_of(frames, "b", start)[-1] == ("error", (
        f'could not install {MISSING} for "import {MISSING}": there is no project named '
        f"{MISSING} on the package index"))
    error = next(e for e in frames.events(start) if e["type"] == "cell_error")
    assert f"No module named '{MISSING}'" in error["message"]

    # A restarted kernel starts without extras: the package is installed for it again.
    restart_at = len(frames.frames)
    services.kernel_restart(session)
    frames.wait_for(event_of("kernel_ready"), restart_at)
    done = run_cell(session, frames, "c", f"import {PURE_PROJECT}\n{PURE_PROJECT}.hello()")
    assert done["failed"] == [] and outputs(frames, "c", restart_at) == [repr(PURE_GREETING)]
    assert notices_of(frames, "c", restart_at)[0] == ("progress", f"installing {PURE_PROJECT}…")
