"""The runtime imports nothing outside the standard library, under CPython and Pyodide.

The browser runs ``kernels.runtime`` in Pyodide with no third-party packages, so
importing any of its modules must not pull in one. Modules already loaded by the
test session (pytest, Django through pytest-django) are hidden while the runtime
is imported afresh, so a stray ``import django`` is caught even when Django is
loaded; a blocking finder turns it into a clear failure instead of an import.
"""

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Names the runtime may import besides the standard library: itself, and the
# modules Pyodide provides for talking to JavaScript (only ever imported lazily or
# guarded, since CPython lacks them).
ALLOWED_TOP_LEVEL = frozenset({"kernels", "js", "pyodide", "pyodide_js", "_pyodide"})


def _allowed(name: str) -> bool:
    top = name.partition(".")[0]
    return (
        top in sys.stdlib_module_names
        or top in sys.builtin_module_names
        or top in ALLOWED_TOP_LEVEL
        or top == "__main__"
    )


class _NonStdlibBlocker:
    """Meta-path finder that records and refuses any import outside the allowed set."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def find_spec(self, name, path=None, target=None):
        if _allowed(name):
            return None
        self.refused.append(name)
        raise ImportError(f"{name} is not in the standard library (blocked by {__name__})")


@contextmanager
def _fresh_imports_stdlib_only() -> Iterator[_NonStdlibBlocker]:
    """Hide non-stdlib and ``kernels`` modules, block new ones; restore everything after."""
    saved = dict(sys.modules)
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top == "kernels" or not _allowed(name):
            del sys.modules[name]
    blocker = _NonStdlibBlocker()
    sys.meta_path.insert(0, blocker)
    try:
        yield blocker
    finally:
        sys.meta_path.remove(blocker)
        sys.modules.clear()
        sys.modules.update(saved)


# Everything the browser's runtime wheel ships (frontend/scripts/build_runtime_wheel.py).
SHIPPED_PACKAGES = ("kernels.runtime", "kernels.ui", "kernels.marimo_compat", "kernels.transports")


def _runtime_module_names() -> list[str]:
    names = []
    for package_name in SHIPPED_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            # __main__ modules run the CLI when imported.
            if not info.name.endswith(".__main__"):
                names.append(info.name)
    return names


def test_runtime_modules_import_only_the_standard_library() -> None:
    with _fresh_imports_stdlib_only() as blocker:
        failures = []
        for name in _runtime_module_names():
            try:
                importlib.import_module(name)
            except ImportError as error:
                failures.append(f"{name}: {error}")
        leaked = sorted(
            name for name in sys.modules if not _allowed(name) and name not in blocker.refused
        )
    assert not blocker.refused, (
        "kernels.runtime must import only the standard library (it runs in Pyodide), "
        f"but importing it asked for: {blocker.refused}; details: {failures}"
    )
    assert not leaked, f"modules outside the standard library appeared: {leaked}"
    assert not failures, f"runtime modules that fail to import: {failures}"
