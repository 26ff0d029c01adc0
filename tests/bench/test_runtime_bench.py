"""The runtime benchmark still runs and its built-in result checks pass (timing is not tested)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_quick_runtime_bench_completes_with_correct_results():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "runtime.py"), "--quick"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("graph_ratio=") and " overhead_ratio=" in last
