"""The folders and static-site benchmark still runs, and what it reads is right (timing is
not tested): the site's cell and the bare page each report the file's whole size."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parents[2]


def test_quick_folders_bench_reads_the_whole_file_on_both_pages() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "folders.py"), "--runs", "1", "--megabytes", "2"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"first_output_ratio=\d+\.\d\d read_ratio=\d+\.\d\d "
                        r"read_at_load_ratio=\d+\.\d\d site_mb=\d+\.\d", last), last
    assert float(last.split("site_mb=")[1]) > 10  # the front end and Pyodide are in it
