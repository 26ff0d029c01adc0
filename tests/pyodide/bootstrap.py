"""Set-up run inside Pyodide by run_runtime_tests.mjs: unpack the test wheels, run pytest.

Only meaningful under Pyodide (it imports ``pyodide``); the Node script executes
this file's source and calls :func:`main`.
"""

import importlib
import os
import platform
import re
import sys
import sysconfig
import zipfile
from pathlib import Path


def version_line() -> str:
    import pyodide

    return f"Python {platform.python_version()} on {sys.platform} (Pyodide {pyodide.__version__})"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def install_pinned_wheels(pins_file: Path, wheel_dir: Path) -> list[str]:
    """Unpack each wheel pinned in ``pins_file`` into site-packages; return the missing pins."""
    available = {}
    for wheel in wheel_dir.glob("*.whl"):
        name, version = wheel.name.split("-")[:2]
        available[(_normalize(name), version)] = wheel
    site_packages = Path(sysconfig.get_path("purelib"))
    missing = []
    for line in pins_file.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if not requirement:
            continue
        name, _, version = requirement.partition("==")
        wheel = available.get((_normalize(name.strip()), version.strip()))
        if wheel is None:
            missing.append(requirement)
            continue
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site_packages)
    importlib.invalidate_caches()
    return missing


def main(repo: str, extra_args: list[str]) -> int:
    """Run tests/runtime with pytest from the repository mounted at ``repo``."""
    print(version_line(), flush=True)
    root = Path(repo)
    wheel_dir = root / ".cache" / "pyodide-wheels"
    missing = install_pinned_wheels(root / "tests" / "pyodide" / "requirements.txt", wheel_dir)
    if missing:
        print(
            f"error: no wheel in {wheel_dir.relative_to(root)} for: {', '.join(missing)}.\n"
            "Run `make test-pyodide`: it downloads the wheels pinned in "
            "tests/pyodide/requirements.txt.",
            file=sys.stderr,
        )
        return 3
    os.chdir(root)
    sys.path.insert(0, str(root))
    import pytest

    args = [
        str(root / "tests" / "runtime"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not subprocess",
        # pytest-django is not installed here, so its key in pyproject.toml is unknown.
        "-W",
        "ignore:Unknown config option:pytest.PytestConfigWarning",
        *extra_args,
    ]
    return int(pytest.main(args))
