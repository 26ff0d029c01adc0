"""Fixtures of the runtime tests (standard library and pytest only: they run under Pyodide too)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernels.runtime.modules import forget_modules


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """A notebook's folder as the working directory, first on ``sys.path``, as the browser
    and server kernels set it up; modules loaded from it are forgotten after the test."""
    before = os.getcwd()
    os.chdir(tmp_path)
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    os.chdir(before)
    while str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))
    modules = [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.py")]
    forget_modules(modules, str(tmp_path))
