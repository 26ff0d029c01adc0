"""A cell that prints a lot, in Chromium: time to finish and what the page holds.

    python bench/stream_output.py                 # 10**6 lines, 3 runs
    python bench/stream_output.py --lines 100000 --runs 1

It starts the real service (tests/browser/service.py, serving frontend/dist: run
``make frontend-build`` first) and Debian's /usr/bin/chromium through Playwright,
opens ``/play`` with one cell ``for i in range(N): print(i)`` and, in each run,
clicks the cell's Run button and measures in the page, from the click to the cell's
``data-status`` leaving ``queued``/``running``:

- the time (``performance.now()``, a MutationObserver on the cell's status);
- the text the page holds for the cell (``textContent`` length of the cell's
  stdout, and of the whole cell without its editor);
- how many DOM nodes the stdout pane holds.

For comparison it times the same loop inside the page's Python (Pyodide in the
worker), measured by the cell itself with ``time.perf_counter``: printing into a
``StringIO`` (the Python alone) and printing to the cell's stdout (the kernel's
streams too, without the page); and in CPython here into a ``StringIO``. Timing
never fails the bench; a cell that does not finish in time does (exit status 1).
The last line is ``page_ms=... pyodide_ms=... pyodide_stdout_ms=... python_ms=...
stdout_chars=... cell_chars=...`` (medians).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_OFF_PATH = (REPO_ROOT, REPO_ROOT / "bench")
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in _OFF_PATH]

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.notebook_page import notebook_source, play_url  # noqa: E402
from tests.browser.service import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ServiceFailed,
    missing_frontend_build,
    start_service,
)

# Starts the clock at the click and stops it when the cell's status is final.
_TIME_RUN = """
(cell) => new Promise((resolve) => {
  const active = (s) => s === "queued" || s === "running";
  let started = null;
  let seenActive = false;
  const observer = new MutationObserver(() => {
    const status = cell.getAttribute("data-status");
    window.__benchStatuses = [...(window.__benchStatuses || []), status];
    if (active(status)) seenActive = true;
    else if (seenActive) {
      observer.disconnect();
      resolve(performance.now() - started);
    }
  });
  observer.observe(cell, { attributes: true, attributeFilter: ["data-status"] });
  started = performance.now();
  cell.querySelector('[data-testid="run-cell"]').click();
})
"""

# Cells that time the loop themselves, in the page's Python; their value is milliseconds.
_IN_PYTHON = {
    "pyodide_ms": (
        "import contextlib, io, time\n_sink = io.StringIO()\n_t = time.perf_counter()\n"
        "with contextlib.redirect_stdout(_sink):\n    for _i in range({lines}):\n"
        "        print(_i)\nround((time.perf_counter() - _t) * 1000)"
    ),
    "pyodide_stdout_ms": (
        "import time\n_t = time.perf_counter()\nfor _i in range({lines}):\n    print(_i)\n"
        "round((time.perf_counter() - _t) * 1000)"
    ),
}

_SIZES = """
(cell) => {
  const stdout = cell.querySelector('[data-testid="cell-stdout"]');
  const parts = [...cell.children].filter(c => c.getAttribute("data-testid") !== "cell-editor");
  let nodes = 0;
  const walker = document.createTreeWalker(stdout, NodeFilter.SHOW_ALL);
  while (walker.nextNode()) nodes++;
  return {
    stdout: stdout.textContent.length,
    cell: parts.map(p => p.textContent.length).reduce((a, b) => a + b, 0),
    nodes,
  };
}
"""


def _python_ms(lines: int) -> float:
    sink = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        for i in range(lines):
            print(i)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10**6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    args = parser.parse_args(argv)
    if problem := missing_frontend_build():
        print(f"error: {problem}", file=sys.stderr)
        return 2
    code = f"for i in range({args.lines}):\n    print(i)"
    page_ms: list[float] = []
    in_python: dict[str, list[float]] = {key: [] for key in _IN_PYTHON}
    sizes: list[dict[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="bench-stream-") as workdir:
        try:
            service = start_service(workdir=Path(workdir))
        except ServiceFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(base_url=service.usercontent_url)
                page.set_default_timeout(args.timeout * 1000)
                page.goto(play_url(notebook_source("1")))
                page.wait_for_selector('[data-testid="kernel-status"][data-state="ready"]')
                page.wait_for_selector('[data-testid="cell"][data-status="idle"]')
                cell = page.locator('[data-testid="cell"]').first
                editor = cell.locator(".cm-content")
                editor.click()
                page.keyboard.press("ControlOrMeta+a")
                page.keyboard.press("Delete")
                page.keyboard.insert_text(code)
                # The edit reaches the kernel after a pause: wait until it has (stale).
                page.wait_for_selector('[data-testid="cell"][data-status="stale"]')
                for run in range(args.runs):
                    elapsed = float(cell.evaluate(_TIME_RUN))
                    measured = cell.evaluate(_SIZES)
                    status = cell.get_attribute("data-status")
                    if status != "idle":
                        seen = page.evaluate("window.__benchStatuses")
                        print(f"error: the cell ended {status!r} (statuses {seen})",
                              file=sys.stderr)
                        return 1
                    page_ms.append(elapsed)
                    sizes.append(measured)
                    print(f"run {run + 1}/{args.runs}: {elapsed:.0f} ms, {measured}",
                          file=sys.stderr)
                for key, template in _IN_PYTHON.items():
                    editor.click()
                    page.keyboard.press("ControlOrMeta+a")
                    page.keyboard.press("Delete")
                    page.keyboard.insert_text(template.format(lines=args.lines))
                    page.wait_for_selector('[data-testid="cell"][data-status="stale"]')
                    for _ in range(args.runs):
                        cell.evaluate(_TIME_RUN)
                        in_python[key].append(float(
                            cell.get_by_test_id("cell-output").inner_text().strip()))
                browser.close()
        finally:
            service.stop()
    python_ms = statistics.median(_python_ms(args.lines) for _ in range(3))
    stdout_chars = int(statistics.median(s["stdout"] for s in sizes))
    cell_chars = int(statistics.median(s["cell"] for s in sizes))
    nodes = int(statistics.median(s["nodes"] for s in sizes))
    print(f"{args.lines} lines printed by one cell, median of {args.runs} runs")
    print(f"page: Run -> cell idle {statistics.median(page_ms):.0f} ms "
          f"(runs: {' '.join(f'{v:.0f}' for v in page_ms)})")
    pyodide_ms = statistics.median(in_python["pyodide_ms"])
    pyodide_stdout_ms = statistics.median(in_python["pyodide_stdout_ms"])
    print(f"the page's Python (Pyodide), timed in the cell: print() into a StringIO "
          f"{pyodide_ms:.0f} ms, print() to the cell's stdout {pyodide_stdout_ms:.0f} ms")
    print(f"CPython here, print() into a StringIO: {python_ms:.0f} ms")
    print(f"page holds: stdout {stdout_chars} chars in {nodes} DOM nodes, cell {cell_chars} chars")
    print(f"page_ms={statistics.median(page_ms):.0f} pyodide_ms={pyodide_ms:.0f} "
          f"pyodide_stdout_ms={pyodide_stdout_ms:.0f} python_ms={python_ms:.0f} "
          f"stdout_chars={stdout_chars} cell_chars={cell_chars}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
