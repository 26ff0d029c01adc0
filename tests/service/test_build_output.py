"""What `make run` prints while it builds: no notices a newcomer would take for errors.

Both checks run the real step: Vite's build of the frontend (into a temporary
folder), and the editable install exactly as the Makefile writes it (into a
temporary prefix).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"

pytestmark = pytest.mark.subprocess


def test_the_frontend_build_prints_no_node_module_notices(tmp_path: Path) -> None:
    assert shutil.which("npx") and (FRONTEND / "node_modules" / ".bin" / "vite").exists(), (
        "needs Node and frontend/node_modules: run `make test`, which installs them"
    )
    built = subprocess.run(
        ["npx", "--no-install", "vite", "build", "--outDir", str(tmp_path / "dist"),
         "--emptyOutDir", "--logLevel", "warn"],
        cwd=FRONTEND, capture_output=True, text=True, timeout=600, check=False,
    )

    assert built.returncode == 0, built.stderr[-2000:]
    printed = built.stdout + built.stderr
    # Pyodide's Node-only imports (node:fs, ...) are left alone, not announced.
    assert "externalized for browser compatibility" not in printed, printed[:2000]
    assert "node:" not in printed, printed[:2000]
    # Nor a chunk-size warning: mermaid's lazy chunks are within the configured limit.
    assert "larger than" not in printed, printed[:2000]
    # The Pyodide files went into this build, not into frontend/dist.
    assert (tmp_path / "dist" / "pyodide" / "pyodide.mjs").is_file()


def test_the_editable_install_prints_nothing(tmp_path: Path) -> None:
    planned = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", ".venv/.installed"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.splitlines()
    [install] = [line for line in planned if line.endswith(" -e .")]
    command = install[: -len(" -e .")] + f" --prefix {shlex.quote(str(tmp_path))} -e ."

    try:
        ran = subprocess.run(
            ["bash", "-c", command], cwd=REPO, capture_output=True, text=True, timeout=300,
            check=False,
        )
    finally:
        # pip replaces the venv's own editable install (and its `playground` script)
        # with the one under the prefix: put it back as the Makefile has it.
        subprocess.run(["bash", "-c", install], cwd=REPO, capture_output=True, timeout=300,
                       check=True)

    assert ran.returncode == 0, ran.stderr[-2000:]
    # setuptools' box of asterisks ("Editable installation. ... ****") included.
    assert ran.stdout + ran.stderr == ""
