"""The autograding bench still runs and every graded run it checks is right (timing is not tested).

``bench/grading.py --quick`` makes a fresh PostgreSQL database, a course and four
submissions (one of each kind of answer), grades them with real grading workers
(Celery processes putting each notebook in the bubblewrap sandbox) once with 1 and
once with 2 workers, times two submissions end to end, and runs the same notebooks
and tests in its own process; a wrong score exits non-zero.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_quick_grading_bench_completes_with_every_run_checked() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "grading.py"), "--quick"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every graded run was checked: 4 x 2 batches + 2 feedback runs" in result.stdout
    assert "| 1 worker process |" in result.stdout and "| 2 worker processes |" in result.stdout
    assert result.stdout.count("| met |") + result.stdout.count("| NOT MET |") == 4
    figures = dict(item.split("=") for item in result.stdout.strip().splitlines()[-1].split())
    assert set(figures) == {"total_s", "overhead_s", "scaling", "feedback_p95_s"}
    values = {name: float(value) for name, value in figures.items()}
    assert all(values[name] > 0 for name in ("total_s", "scaling", "feedback_p95_s"))
