"""How fast a UI change reaches the cells that read it, through `playground kernel --stdio`.

    python bench/ui_latency.py            # 100 changes, then the coalescing runs
    python bench/ui_latency.py --quick    # 20 changes (smoke test)

It starts a real kernel process, makes ``s = ui.slider(0, 10_000)`` in one cell
and ``s.value * 2`` in another, and measures:

(a) latency: the time from writing a ``set_ui_value`` line to the kernel's
    stdin until the reader cell's ``output`` event is read from its stdout,
    one change at a time (p50, p95 and max over 100 changes, after 5 warm-up
    changes);
(b) coalescing: 60 changes sent evenly within one second (a slider dragged at
    60 Hz) to a reader that costs 0, 50 or 200 ms per run: how many runs the
    kernel executed, whether the last value won, and the time from the last
    change to the output showing it.

Every measured output is checked (the reader must show twice the value sent;
the last value of a burst must be shown last), so a broken run cannot make a
fast number; timing itself never fails the bench. This measures the stdio
transport and the kernel only; the browser adds the Web Worker's postMessage
and the front end's rendering on top, which this script does not measure.

The last line is ``p50_ms=X p95_ms=Y runs_of_60=A,B,C`` (runs at each reader cost).

    python bench/ui_latency.py --browser  # the browser half (needs `make frontend-build`)

``--browser`` measures the whole path on /play instead: the test service
(tests/browser/service.py) and Debian's Chromium through Playwright, the same
two cells, and for each of 50 changes (after 5 warm-ups) the time from setting
the slider in the page (an ``input`` event, as a drag sends) to the reader's
``cell-output`` showing twice that value, timed in the page with
``performance.now()`` and a MutationObserver. It includes the page, the
worker's postMessage, the bridge's command queue, the kernel under Pyodide and
the rendering. The last line is ``browser_p50_ms=X browser_p95_ms=Y``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# bench/ off the path: bench/http.py would shadow the standard library's http package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO_ROOT / "bench"]
sys.path.insert(0, str(REPO_ROOT))

from bench.percentiles import percentile  # noqa: E402
from kernels.transports.stdio_client import (  # noqa: E402 - after the path fix above
    NoMatchingEvent,
    StdioKernelClient,
    start_kernel_process,
)

READER_COSTS_MS = (0, 50, 200)
BURST_CHANGES = 60
BURST_SECONDS = 1.0
WARM_UP = 5


class Kernel(StdioKernelClient):
    """A kernel process (the shared stdio client), plus a sentinel to wait for quiet."""

    def __init__(self) -> None:
        super().__init__(start_kernel_process())
        self._settled = 0  # events before this index are from commands already handled

    def wait_for_event(
        self, predicate: Callable[[dict[str, Any]], bool], start: int = 0
    ) -> tuple[int, float, dict[str, Any]]:
        """The first matching event from ``start`` on: (index, time read, event)."""
        try:
            return self.wait_for_index(predicate, start, timeout=30)
        except NoMatchingEvent as exc:
            raise SystemExit(f"bench failed: {exc}") from None

    def settle(self) -> int:
        """Wait until every command sent so far is handled; the index of the next event."""
        self.send(type="run", cell_ids=["ping"])
        index, _, _ = self.wait_for_event(
            lambda e: e["type"] == "run_completed" and e["ran"] == ["ping"],
            start=self._settled,
        )
        self._settled = index + 1
        return index + 1


def _reader_output(value: int) -> Callable[[dict[str, Any]], bool]:
    expected = str(value * 2)
    return lambda e: (
        e["type"] == "output" and e["cell_id"] == "read" and e["data"].get("text/plain") == expected
    )


def _notebook(kernel: Kernel, reader_cost_ms: int) -> str:
    """Cells for one measurement; the slider's element id."""
    kernel.send(type="create_cell", cell_id="ping", code="None")
    kernel.send(
        type="create_cell",
        cell_id="make",
        code="from kernels import ui\nimport time\ns = ui.slider(0, 10_000)",
    )
    kernel.send(
        type="create_cell",
        cell_id="read",
        code=f"time.sleep({reader_cost_ms / 1000})\ny = s.value * 2\ny",
    )
    kernel.send(type="run_all")
    kernel.settle()
    return "make:0"


def measure_latency(changes: int) -> list[float]:
    """Milliseconds from each set_ui_value to its reader's output, one change at a time."""
    kernel = Kernel()
    try:
        element = _notebook(kernel, 0)
        latencies = []
        start = kernel.settle()
        for value in range(1, WARM_UP + changes + 1):
            sent = kernel.send(type="set_ui_value", object_id=element, value=value)
            index, received, _ = kernel.wait_for_event(_reader_output(value), start=start)
            start = index + 1
            if value > WARM_UP:
                latencies.append((received - sent) * 1000)
        return latencies
    finally:
        kernel.close()


def measure_coalescing(reader_cost_ms: int) -> dict[str, Any]:
    """Send BURST_CHANGES changes evenly within BURST_SECONDS; count the reader's runs."""
    kernel = Kernel()
    try:
        element = _notebook(kernel, reader_cost_ms)
        start = kernel.settle()
        began = time.perf_counter()
        last_sent = began
        for number in range(1, BURST_CHANGES + 1):
            due = began + (number - 1) * BURST_SECONDS / BURST_CHANGES
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            last_sent = kernel.send(type="set_ui_value", object_id=element, value=number)
        _, shown_at, _ = kernel.wait_for_event(_reader_output(BURST_CHANGES), start=start)
        end = kernel.settle()
        events = kernel.events[start:end]
        runs = sum(
            1
            for e in events
            if e["type"] == "cell_status" and e["cell_id"] == "read" and e["status"] == "running"
        )
        shown = [
            e["data"].get("text/plain")
            for e in events
            if e["type"] == "output" and e["cell_id"] == "read"
        ]
        errors = [e for e in events if e["type"] in ("protocol_error", "cell_error")]
        if errors or not shown or shown[-1] != str(BURST_CHANGES * 2):
            raise SystemExit(
                f"bench failed: the burst did not end on the last value: {shown[-3:]} {errors[:2]}"
            )
        return {
            "cost_ms": reader_cost_ms,
            "runs": runs,
            "sent_within_s": last_sent - began,
            "last_ms": (shown_at - last_sent) * 1000,
        }
    finally:
        kernel.close()


def _print_latency_table(latencies: list[float], *, digits: int) -> tuple[float, float]:
    """Print p50/p95/max of latencies in ms as a table; return (p50, p95)."""
    p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
    print("| p50 | p95 | max |")
    print("| ---: | ---: | ---: |")
    print(f"| {p50:.{digits}f} ms | {p95:.{digits}f} ms | {max(latencies):.{digits}f} ms |\n")
    return p50, p95


_BROWSER_CHANGES_JS = """async ([count]) => {
    const cells = document.querySelectorAll('[data-testid="cell"]');
    const slider = cells[0].querySelector('input[type="range"]');
    const output = cells[1].querySelector('[data-testid="cell-output"]');
    const times = [];
    for (let i = 0; i < count; i++) {
        const value = (i % 2 ? 1000 : 2000) + i;
        const want = String(value * 2);
        const started = performance.now();
        await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no output for " + value)), 20000);
            const observer = new MutationObserver(() => {
                if (output.textContent.trim() === want) {
                    observer.disconnect();
                    clearTimeout(timer);
                    resolve();
                }
            });
            observer.observe(output, {childList: true, subtree: true, characterData: true});
            slider.value = String(value);
            slider.dispatchEvent(new Event("input", {bubbles: true}));
        });
        times.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return times;
}"""


def measure_browser(changes: int) -> list[float]:
    """Slider change in /play -> the reader's output in the page, one change at a time (ms)."""
    import tempfile

    from playwright.sync_api import expect, sync_playwright

    from tests.browser.notebook_page import NotebookPage, play_url
    from tests.browser.service import (
        CHROMIUM,
        CHROMIUM_ARGS,
        missing_frontend_build,
        start_service,
    )

    if problem := missing_frontend_build():
        raise SystemExit(problem)
    source = notebook_source_for_browser()
    with tempfile.TemporaryDirectory() as workdir:
        service = start_service(workdir=Path(workdir))
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    context = browser.new_context(base_url=service.usercontent_url)
                    context.set_default_timeout(60_000)
                    expect.set_options(timeout=60_000)
                    notebook = NotebookPage(context.new_page())
                    notebook.open(play_url(source))
                    expect(notebook.cells).to_have_count(2)
                    notebook.run_all()
                    notebook.page.evaluate(_BROWSER_CHANGES_JS, [WARM_UP])
                    return list(notebook.page.evaluate(_BROWSER_CHANGES_JS, [changes]))
                finally:
                    browser.close()
        finally:
            service.stop()


def notebook_source_for_browser() -> str:
    from tests.browser.notebook_page import notebook_source

    return notebook_source(
        'from kernels import ui\ns = ui.slider(0, 10_000, value=0, label="S")\ns',
        "s.value * 2",
    )


def main_browser(changes: int) -> int:
    sys.path.insert(0, str(REPO_ROOT))
    print(f"UI latency on /play in Chromium (Pyodide in a Web Worker, {os.cpu_count()} cores)\n")
    latencies = measure_browser(changes)
    print(f"slider input event -> reader's output in the page, {len(latencies)} changes\n")
    p50, p95 = _print_latency_table(latencies, digits=1)
    print(f"browser_p50_ms={p50:.1f} browser_p95_ms={p95:.1f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 changes instead of 100")
    parser.add_argument("--changes", type=int, default=None, help="changes for the latency")
    parser.add_argument(
        "--browser", action="store_true", help="measure /play in Chromium (50 changes)"
    )
    args = parser.parse_args(argv)
    if args.browser:
        return main_browser(args.changes or (20 if args.quick else 50))
    changes = args.changes or (20 if args.quick else 100)

    print(
        f"UI latency through `playground kernel --stdio` "
        f"({sys.implementation.name} {sys.version.split()[0]}, {os.cpu_count()} cores)\n"
    )
    latencies = measure_latency(changes)
    print(f"(a) set_ui_value -> reader's output, {len(latencies)} changes one at a time\n")
    p50, p95 = _print_latency_table(latencies, digits=2)

    print(
        f"(b) {BURST_CHANGES} changes within {BURST_SECONDS:g} s "
        "(a slider dragged at 60 Hz): runs of the reader\n"
    )
    print("| reader cost | runs executed | last value shown | last change -> its output |")
    print("| ---: | ---: | :---: | ---: |")
    results = [measure_coalescing(cost) for cost in READER_COSTS_MS]
    for result in results:
        print(
            f"| {result['cost_ms']} ms | {result['runs']} of {BURST_CHANGES} | yes | "
            f"{result['last_ms']:.1f} ms |"
        )
    print()
    runs = ",".join(str(r["runs"]) for r in results)
    print(f"p50_ms={p50:.3f} p95_ms={p95:.3f} runs_of_60={runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
