"""The HTTP bench still runs on the production layout and its response checks pass.

``bench/http.py --quick`` starts gunicorn, daphne, a moto server and a fresh
PostgreSQL database, loads each page with wrk and checks every status, the pages'
contents and the saved revisions; any wrong answer exits non-zero. Timing is not
tested.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_quick_http_bench_completes_with_every_response_checked() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "http.py"), "--quick"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert "every response had the expected status" in result.stdout
    assert any(line.startswith("saves, run 1: ") for line in lines)
    figures = dict(item.split("=") for item in lines[-1].split())
    assert set(figures) == {
        "shared_rps", "floor_rps", "shared_ratio", "shared_p99_ms", "api_rps", "save_rps",
        "daphne_shared_rps",
    }
    assert all(float(value) > 0 for value in figures.values())
