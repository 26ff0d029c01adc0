"""What ``import marimo as mo`` costs a cell, in Pyodide (the browser's Python) under Node.

    python bench/marimo_import.py            # 7 fresh interpreters
    python bench/marimo_import.py --runs 3

Each run boots a fresh Pyodide from frontend/node_modules with the repository
mounted, makes a kernel and times, with ``time.perf_counter`` inside Python:

- ``pass``: a cell that does nothing (the kernel's own cost per cell, the floor);
- ``first import``: a cell ``import marimo as mo`` in an interpreter that has never
  loaded the layer (what a fresh boot without the memory snapshot pays);
- ``preloaded``: the same cell after ``import kernels.marimo_compat`` ran before
  the timing, as the browser's memory snapshot has it.

It prints medians and the extra cost over ``pass``; the last line is
``first_import_ms=... preloaded_extra_ms=...``. The target is an extra 20 ms at most
for the browser, which restores the snapshot (``preloaded``). Timing never fails it;
a cell that does not succeed does (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYODIDE_DIR = REPO_ROOT / "frontend" / "node_modules" / "pyodide"

_NODE = r"""
const [pyodideDir, repo] = process.argv.slice(1);
const { loadPyodide } = await import(pyodideDir + "/pyodide.mjs");
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.mountNodeFS("/repo", repo);
const result = py.runPython(`
import json, sys, time
sys.path.insert(0, "/repo")
from kernels.runtime import protocol as p
from kernels.runtime.kernel import Kernel

events = []
kernel = Kernel(events.append)

def step(command):
    coroutine = kernel.handle(command)
    try:
        coroutine.send(None)
    except StopIteration:
        pass

def timed_cell(cell_id, code):
    step(p.CreateCell(cell_id, code))
    started = time.perf_counter()
    step(p.Run([cell_id]))
    elapsed = (time.perf_counter() - started) * 1000
    failed = [e for e in events if type(e).__name__ == "CellError"]
    assert not failed, failed
    return elapsed

timed_cell("warm", "x = 1")  # the kernel's own first-run costs
results = {"pass": timed_cell("pass", "pass")}
results["first"] = timed_cell("first", "import marimo as mo\\nmo.md('x')")
results["preloaded"] = timed_cell("again", "import marimo as mo2\\nmo2.md('y')")
json.dumps(results)
`);
console.log(result);
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    if not (PYODIDE_DIR / "pyodide.mjs").exists():
        print("error: Pyodide is not installed; run `make test-pyodide` first", file=sys.stderr)
        return 2
    runs: list[dict[str, float]] = []
    for run in range(args.runs):
        result = subprocess.run(
            ["node", "--input-type=module", "-e", _NODE, str(PYODIDE_DIR), str(REPO_ROOT)],
            capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            print(f"error: run {run + 1} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
            return 1
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(f"run {run + 1}/{args.runs}: " + ", ".join(
            f"{key} {value:.1f} ms" for key, value in runs[-1].items()), file=sys.stderr)
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print(f"Pyodide in Node, median of {args.runs} fresh interpreters (ms per cell run):")
    print(f"  pass                          {medians['pass']:7.1f}")
    print(f"  import marimo, first time     {medians['first']:7.1f}   "
          f"(+{medians['first'] - medians['pass']:.1f})")
    print(f"  import marimo, preloaded      {medians['preloaded']:7.1f}   "
          f"(+{medians['preloaded'] - medians['pass']:.1f}; target +20 ms)")
    print(f"first_import_ms={medians['first'] - medians['pass']:.1f} "
          f"preloaded_extra_ms={medians['preloaded'] - medians['pass']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
