"""The server kernel benchmark still runs and its result checks pass (timing is not tested).

``bench/kernels.py --quick`` starts real kernel workers (Celery processes hosting
bubblewrap-sandboxed kernels) on Redis, starts, restarts, runs and interrupts
sessions beside ``playground kernel --stdio`` processes, and checks every output;
a wrong answer exits non-zero.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_quick_kernels_bench_completes_with_correct_results() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "kernels.py"), "--quick"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # Warm starts take a kernel the worker started ahead.
    assert "(b) warm start" in result.stdout and "KERNEL_POOL_SIZE=1" in result.stdout
    figures = dict(item.split("=") for item in result.stdout.strip().splitlines()[-1].split())
    assert set(figures) == {
        "warm_start_p95_s", "cold_start_p95_s", "overhead_ms", "interrupt_p95_ms", "scaling",
    }
    assert all(float(figures[name]) > 0 for name in figures if name != "overhead_ms")
