"""Start-up time of /play against bare Pyodide on the same server, cold and warm, in Chromium.

    python bench/startup.py              # 5 runs of each
    python bench/startup.py --runs 9

It starts the real service (tests/browser/service.py: ``manage.py runserver`` on a
free loopback port, serving frontend/dist; run ``make frontend-build`` first) and
Debian's /usr/bin/chromium through Playwright, then times, from the start of the
navigation (``performance.now()`` in the page) to the moment the page shows ``2``:

- ours: ``/play#code/...`` holding one cell ``1+1``, until that cell's output reads 2;
- the floor: ``/bare-pyodide/`` (tests/browser/server_urls.py), a page that only
  starts a module worker, loads the same Pyodide from the same ``/static/pyodide/``
  and runs ``1+1``. Being served by the same Django process on the same origin, it
  gets the same static files, headers and caching as /play, and nothing else;
- a marimo playground link whose first cell is ``import marimo as mo`` with a
  slider (``mo.ui.slider(1, 3, value=2).value``), against the same link written
  with ``kernels.ui``: the marimo layer is in the memory snapshot, so the two should
  match (target: marimo at most 1.05x).

Each run opens a fresh browser context (empty cache: cold), then reloads the page in
that context (cached assets and snapshot: warm); ours and the floor alternate so they
share the machine's load. The table shows medians with the range; the last line is
``cold_ratio=X warm_ratio=Y marimo_cold_ratio=... marimo_warm_ratio=...`` (ours / bare,
and marimo / kernels.ui, medians). Timing never fails the bench; a
page that does not show 2 in time does (exit status 1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The repository on the path, and bench/ off it: bench/http.py would shadow the
# standard library's http package (urllib, marimo's server) for every script here.
_OFF_PATH = (REPO_ROOT, REPO_ROOT / "bench")
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in _OFF_PATH]

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from tests.browser.notebook_page import notebook_source, play_url  # noqa: E402
from tests.browser.service import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningService,
    ServiceFailed,
    missing_frontend_build,
    start_service,
)

# Records, in the page, when the result first shows: the first cell's output on
# /play, #result on the bare page. performance.now() counts from the navigation's start.
_RECORD_FIRST_RESULT = """
(() => {
  const shown = () => {
    const target = document.querySelector(
      '#result, [data-testid="cell"] [data-testid="cell-output"]');
    return target !== null && target.textContent.trim() === "2";
  };
  const observer = new MutationObserver(() => {
    if (window.__benchFirstResultAt === undefined && shown()) {
      window.__benchFirstResultAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();
"""


# A marimo file as marimo's playground puts it in a link; its first cell shows 2.
_MARIMO_SLIDER = """import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import marimo as mo
    mo.ui.slider(1, 3, value=2).value
    return (mo,)


if __name__ == "__main__":
    app.run()
"""


@dataclass
class Timings:
    label: str
    url: str
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)


class BenchFailed(RuntimeError):
    """A page did not show its result; the message says which and what it showed."""


def _first_result_ms(page: Page, timings: Timings, timeout_ms: float) -> float:
    try:
        handle = page.wait_for_function(
            "() => window.__benchFirstResultAt ?? null", timeout=timeout_ms, polling=50
        )
    except PlaywrightError as exc:
        shown = page.locator("body").inner_text()[:500] if not page.is_closed() else ""
        raise BenchFailed(
            f"{timings.label} ({timings.url}) did not show 2 within {timeout_ms / 1000:.0f} s: "
            f"{exc.message.splitlines()[0]}\nThe page showed: {shown!r}"
        ) from exc
    return float(handle.json_value())


def _measure_run(
    browser: Browser, service: RunningService, timings: Timings, timeout_ms: float
) -> None:
    context = browser.new_context(base_url=service.usercontent_url)
    try:
        context.add_init_script(_RECORD_FIRST_RESULT)
        page = context.new_page()
        page.goto(timings.url, wait_until="commit")
        timings.cold.append(_first_result_ms(page, timings, timeout_ms))
        page.reload(wait_until="commit")
        timings.warm.append(_first_result_ms(page, timings, timeout_ms))
    finally:
        context.close()


def _snapshot_in_use(browser: Browser, service: RunningService) -> str:
    """Which Pyodide memory snapshot /play's config names, for the report."""
    page = browser.new_page(base_url=service.usercontent_url)
    try:
        page.goto("/play", wait_until="domcontentloaded")
        return str(
            page.evaluate(
                """() => {
                    const node = document.getElementById("playground-config");
                    if (!node) return "unknown (the page has no #playground-config)";
                    return JSON.parse(node.textContent).assets?.snapshot || "none";
                }"""
            )
        )
    finally:
        page.close()


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def _report(
    ours: Timings, bare: Timings, marimo: Timings, ui: Timings, runs: int, snapshot: str,
    chromium: str,
) -> None:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"Start-up: navigation -> first result '2' in ms, median (range) of {runs} runs; "
        f"Chromium {chromium}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"/play restores the snapshot: {snapshot}; the bare page runs loadPyodide() from scratch")
    print()
    header = f"{'page':<36} {'cold':>20}   {'warm':>20}"
    print(header)
    print("-" * len(header))
    for timings in (ours, bare, marimo, ui):
        print(f"{timings.label:<36} {_summary(timings.cold):>20}   {_summary(timings.warm):>20}")
    print()
    for timings in (ours, bare, marimo, ui):
        cold = " ".join(f"{value:.0f}" for value in timings.cold)
        warm = " ".join(f"{value:.0f}" for value in timings.warm)
        print(f"{timings.label}: cold [{cold}]  warm [{warm}]")
    cold_ratio = statistics.median(ours.cold) / statistics.median(bare.cold)
    warm_ratio = statistics.median(ours.warm) / statistics.median(bare.warm)
    marimo_cold = statistics.median(marimo.cold) / statistics.median(ui.cold)
    marimo_warm = statistics.median(marimo.warm) / statistics.median(ui.warm)
    print(f"cold_ratio={cold_ratio:.2f} warm_ratio={warm_ratio:.2f} "
          f"marimo_cold_ratio={marimo_cold:.2f} marimo_warm_ratio={marimo_warm:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each page (default 5)")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds a page may take (default 60)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if problem := missing_frontend_build():
        print(f"error: {problem}", file=sys.stderr)
        return 2

    ours = Timings("/play#code/ (one cell: 1+1)", play_url(notebook_source("1+1")))
    bare = Timings("/bare-pyodide/ (floor)", "/bare-pyodide/")
    marimo = Timings("marimo link: mo.ui.slider", play_url(_MARIMO_SLIDER))
    ui = Timings("same with kernels.ui", play_url(notebook_source(
        "from kernels import ui\nui.slider(1, 3, value=2).value")))
    timeout_ms = args.timeout * 1000
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as workdir:
        try:
            service = start_service(workdir=Path(workdir))
        except ServiceFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                snapshot = _snapshot_in_use(browser, service)
                for run in range(args.runs):
                    # Alternate which goes first, so neither always meets a busier machine.
                    pages = [ours, bare, marimo, ui]
                    for timings in pages if run % 2 == 0 else pages[::-1]:
                        _measure_run(browser, service, timings, timeout_ms)
                    print(
                        f"run {run + 1}/{args.runs} (cold/warm ms): " + ", ".join(
                            f"{t.label} {t.cold[-1]:.0f}/{t.warm[-1]:.0f}" for t in pages
                        ),
                        file=sys.stderr,
                    )
                chromium = browser.version
                browser.close()
        except BenchFailed as exc:
            print(f"error: {exc}\nServer log:\n{service.log_tail()}", file=sys.stderr)
            return 1
        finally:
            service.stop()
    _report(ours, bare, marimo, ui, args.runs, snapshot, chromium)
    return 0


if __name__ == "__main__":
    sys.exit(main())
