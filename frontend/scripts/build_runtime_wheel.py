"""Build the wheel of the notebook runtime that the browser's Pyodide installs.

The wheel holds ``kernels/__init__.py``, ``kernels/runtime/**``, the UI
elements ``kernels/ui/**``, the marimo layer ``kernels/marimo_compat/**`` and
the worker's transport (``kernels/transports/`` session, worker and
worker_requests), and nothing else (the stdio server and client stay out), so
the browser gets
exactly the code that ``make test-pyodide`` checks.
The archive is reproducible (sorted entries, fixed timestamps): the same
sources give the same bytes, hence the same memory-snapshot key, so a rebuild
with no runtime change keeps browsers' cached snapshot valid.

Usage: python frontend/scripts/build_runtime_wheel.py [--out frontend/dist/wheels]
Prints the wheel's path. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DIST_NAME = "playground_runtime"
PROJECT_NAME = "playground-runtime"
# Subpackages of kernels/ that run in the browser.
PACKAGES = ("runtime", "ui", "marimo_compat")
# Single modules of other subpackages that run in the browser.
MODULES = (
    "transports/__init__.py",
    "transports/session.py",
    "transports/worker.py",
    "transports/worker_requests.py",
)
# 1980-01-01, the earliest time a zip entry can hold.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def runtime_version() -> str:
    """``__version__`` of kernels/runtime, read without importing it."""
    text = (REPO_ROOT / "kernels" / "runtime" / "__init__.py").read_text("utf-8")
    match = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.MULTILINE)
    if match is None:
        sys.exit("error: kernels/runtime/__init__.py has no __version__ = \"...\" line")
    return match.group(1)


def source_files() -> list[tuple[str, bytes]]:
    """(archive name, bytes) of every file the wheel ships, sorted by name."""
    files = [REPO_ROOT / "kernels" / "__init__.py"]
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / "kernels" / package).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
                continue
            files.append(path)
    files.extend(REPO_ROOT / "kernels" / module for module in MODULES)
    return sorted(
        ((path.relative_to(REPO_ROOT).as_posix(), path.read_bytes()) for path in files),
        key=lambda item: item[0],
    )


def record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')}"


def build(out_dir: Path) -> Path:
    version = runtime_version()
    dist_info = f"{DIST_NAME}-{version}.dist-info"
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {PROJECT_NAME}\n"
        f"Version: {version}\n"
        "Summary: Playground's reactive notebook runtime (kernels.runtime), for Pyodide\n"
        "Requires-Python: >=3.11\n"
    )
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: playground build_runtime_wheel.py\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    )
    entries = source_files()
    entries.append((f"{dist_info}/METADATA", metadata.encode("utf-8")))
    entries.append((f"{dist_info}/WHEEL", wheel.encode("utf-8")))
    entries.append((f"{dist_info}/top_level.txt", b"kernels\n"))
    record_lines = [f"{name},{record_hash(data)},{len(data)}" for name, data in entries]
    record_lines.append(f"{dist_info}/RECORD,,")
    entries.append((f"{dist_info}/RECORD", ("\n".join(record_lines) + "\n").encode("utf-8")))

    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{DIST_NAME}-{version}-py3-none-any.whl"
    temp = target.with_suffix(".tmp")
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    temp.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "frontend" / "dist" / "wheels",
                        help="directory to write the wheel into")
    args = parser.parse_args()
    print(build(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
