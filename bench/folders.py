"""Static sites and folder files in Chromium: an exported site against /play, a 50 MB
folder file against the same read on a bare Pyodide page.

    python bench/folders.py              # 5 runs of each
    python bench/folders.py --runs 9 --megabytes 50

It starts the real service (tests/browser/service.py; run ``make frontend-build``
first), exports a notebook with ``playground export site`` (whose folder holds a
file of ``--megabytes`` MB), and serves that site from a threaded static server on
loopback that sends the cross-origin isolation headers docs/folders.md gives, so
both pages are isolated and served from loopback. Then, in fresh browser contexts
(cold caches), alternating which goes first:

- **first output**: navigation start -> the first cell's output reads ``2``, for the
  exported site (app view, cell ``1+1``) and for ``/play#code/`` holding the same
  cell (target: the site at most 1.2x /play);
- **reading the file**: a cell of the exported site runs ``open(...).read()`` on the
  folder file, fetched when first opened (``kernel/folder_mount.ts``); the floor is a
  page in the same site that boots the same Pyodide, ``fetch``es the file, writes it
  to Pyodide's file system and reads it in Python. Both time the read from Python's
  side of the page: from the moment the notebook's/the floor's Python starts the
  read to the end (target: at most 1.2x);
- **size**: the exported site's MB on disk.

The last line is ``first_output_ratio=X read_ratio=Y site_mb=Z`` (medians). Timing
never fails the bench; a page that does not show its result does (exit status 1).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
_OFF_PATH = (REPO_ROOT, REPO_ROOT / "bench")
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in _OFF_PATH]
sys.modules.pop("http", None)  # bench/http.py, if it was found first

from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from tests.browser.notebook_page import notebook_source, play_url  # noqa: E402
from tests.browser.service import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ServiceFailed,
    missing_frontend_build,
    start_service,
)

ISOLATION = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}

FIRST = "import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _():\n    1+1\n    return\n"

# The cell's read, timed from Python's side (the bare page times its fetch and this read).
READ_LINES = '''    import time
    started = time.perf_counter()
    with open("big.bin", "rb") as f:
        size = len(f.read())
    f"read {size} {(time.perf_counter() - started) * 1000:.1f}"
    return
'''

READ = '''import marimo

app = marimo.App()


@app.cell
def _():
''' + READ_LINES

# The same read when asked, once the page has booted: a button first.
READ_ON_CLICK = '''import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    go = mo.ui.run_button(label="read")
    go
    return go, mo


@app.cell
def _(go, mo):
    mo.stop(not go.value)
''' + READ_LINES

# The floor: the site's own Pyodide, the file fetched and read, timed the same way.
BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare read</title>
<div id="result">booting</div>
<script type="module">
const worker = new Worker("bare-read-worker.mjs", { type: "module" });
const onClick = new URLSearchParams(location.search).has("click");
const result = document.getElementById("result");
window.startRead = () => worker.postMessage("go");
worker.onmessage = (event) => {
  if (event.data !== "ready") result.textContent = event.data;
  else if (onClick) result.textContent = "ready";
  else window.startRead();
};
</script>
"""
BARE_WORKER = """import { loadPyodide } from "./static/pyodide/pyodide.mjs";
const indexURL = new URL("static/pyodide/", self.location.href).href;
const pyodide = await loadPyodide({ indexURL });
self.__fetchBytes = async () => {
  const response = await fetch(new URL("files/big.bin", self.location.href));
  pyodide.FS.writeFile("/home/pyodide/big.bin", new Uint8Array(await response.arrayBuffer()));
};
self.onmessage = async () => {
  const value = await pyodide.runPythonAsync(`
import time, js
started = time.perf_counter()
await js.__fetchBytes()
with open("/home/pyodide/big.bin", "rb") as f:
    size = len(f.read())
f"read {size} {(time.perf_counter() - started) * 1000:.1f}"
`);
  postMessage(String(value));
};
postMessage("ready");
"""

RECORD_FIRST_OUTPUT = """
(() => {
  const observer = new MutationObserver(() => {
    const out = document.querySelector('[data-testid="cell"] [data-testid="cell-output"]');
    if (window.__firstAt === undefined && out && out.textContent.trim() === "2") {
      window.__firstAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();
"""


class BenchFailed(RuntimeError):
    pass


class _Isolated(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        for name, value in ISOLATION.items():
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(root: Path) -> Iterator[str]:
    handler = functools.partial(_Isolated, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def export(work: Path, name: str, notebook: str, megabytes: int) -> Path:
    (work / f"{name}.py").write_text(notebook)
    folder = work / f"{name}-folder"
    folder.mkdir()
    if megabytes:
        with (folder / "big.bin").open("wb") as out:
            chunk = os.urandom(1024 * 1024)
            for _ in range(megabytes):
                out.write(chunk)
    site = work / f"{name}-site"
    done = subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", "export", "site", f"{name}.py", "-o",
         str(site), "--files", str(folder)],
        cwd=work, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True,
        text=True, timeout=300,
    )
    if done.returncode != 0:
        raise BenchFailed(f"export failed: {done.stderr}")
    (site / "bare-read.html").write_text(BARE_PAGE)
    (site / "bare-read-worker.mjs").write_text(BARE_WORKER)
    return site


def first_output_ms(browser: Browser, url: str, timeout_ms: float) -> float:
    context = browser.new_context()
    try:
        context.add_init_script(RECORD_FIRST_OUTPUT)
        page = context.new_page()
        page.goto(url, wait_until="commit")
        try:
            handle = page.wait_for_function("() => window.__firstAt ?? null",
                                            timeout=timeout_ms, polling=50)
        except PlaywrightError as exc:
            raise BenchFailed(f"{url} did not show 2: {page.locator('body').inner_text()[:300]!r}"
                              ) from exc
        return float(handle.json_value())
    finally:
        context.close()


def read_ms(browser: Browser, url: str, selector: str, megabytes: int, timeout_ms: float,
            start: Callable[[Page], None] | None = None) -> float:
    """The read time a page reports; ``start`` (if given) asks for the read once booted."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        expected = f"read {megabytes * 1024 * 1024} "
        try:
            if start is not None:
                start(page)
            handle = page.wait_for_function(
                """([selector, expected]) => {
                    const texts = [...document.querySelectorAll(selector)].map(
                        (node) => node.textContent.replace(/['"]/g, "").trim());
                    return texts.find((text) => text.startsWith(expected)) ?? null;
                }""", arg=[selector, expected], timeout=timeout_ms, polling=100)
        except PlaywrightError as exc:
            raise BenchFailed(f"{url} did not read the file: "
                              f"{page.locator('body').inner_text()[:300]!r}") from exc
        return float(str(handle.json_value()).split()[-1])
    finally:
        context.close()


def click_read(page: Page) -> None:
    """The notebook's "read" button, once the booted kernel has shown it."""
    page.get_by_role("button", name="read").click()


def start_bare_read(page: Page) -> None:
    """The bare page's read, once its Pyodide has booted."""
    page.wait_for_function("() => document.getElementById('result').textContent === 'ready'",
                           polling=100)
    page.evaluate("window.startRead()")


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    if problem := missing_frontend_build():
        print(f"error: {problem}", file=sys.stderr)
        return 2
    timeout_ms = args.timeout * 1000
    results: dict[str, list[float]] = {"site": [], "play": [], "read": [], "bare": [],
                                       "read_click": [], "bare_click": []}
    with tempfile.TemporaryDirectory(prefix="bench-folders-") as workdir:
        work = Path(workdir)
        try:
            first_site = export(work, "first", FIRST, 0)
            export(work, "read", READ, args.megabytes)
            export(work, "click", READ_ON_CLICK, args.megabytes)
            service = start_service(workdir=work / "service")
        except (BenchFailed, ServiceFailed) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        site_mb = sum(p.stat().st_size for p in first_site.rglob("*") if p.is_file()) / 1e6
        try:
            with sync_playwright() as driver, static_server(work) as origin:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                play = service.usercontent_url.rstrip("/") + play_url(notebook_source("1+1"))
                for run in range(args.runs):
                    order = [("site", f"{origin}/first-site/"), ("play", play)]
                    for key, url in order if run % 2 == 0 else order[::-1]:
                        results[key].append(first_output_ms(browser, url, timeout_ms))
                    reads = [
                        ("read", f"{origin}/read-site/", '[data-testid="cell-output"]', None),
                        ("bare", f"{origin}/read-site/bare-read.html", "#result", None),
                        ("read_click", f"{origin}/click-site/", '[data-testid="cell-output"]',
                         click_read),
                        ("bare_click", f"{origin}/click-site/bare-read.html?click", "#result",
                         start_bare_read),
                    ]
                    for key, url, selector, start in reads if run % 2 == 0 else reads[::-1]:
                        results[key].append(read_ms(browser, url, selector, args.megabytes,
                                                    timeout_ms, start))
                    print(f"run {run + 1}/{args.runs}: " + ", ".join(
                        f"{k} {v[-1]:.0f}" for k, v in results.items()), file=sys.stderr)
                chromium = browser.version
                browser.close()
        except BenchFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        finally:
            service.stop()
    load = os.getloadavg()
    print(f"Folders and static sites, ms, median (range) of {args.runs} cold runs; Chromium "
          f"{chromium}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'exported site, first output':<40} {summary(results['site']):>20}")
    print(f"{'/play#code/, first output':<40} {summary(results['play']):>20}")
    mb = args.megabytes
    print(f"{f'site: read a {mb} MB folder file, asked':<40} {summary(results['read_click']):>20}")
    print(f"{'bare Pyodide: fetch + read it, asked':<40} {summary(results['bare_click']):>20}")
    print(f"{'site: read it at load':<40} {summary(results['read']):>20}")
    print(f"{'bare Pyodide: fetch + read it at load':<40} {summary(results['bare']):>20}")
    first_ratio = statistics.median(results["site"]) / statistics.median(results["play"])
    read_ratio = statistics.median(results["read_click"]) / statistics.median(results["bare_click"])
    at_load_ratio = statistics.median(results["read"]) / statistics.median(results["bare"])
    print(f"first_output_ratio={first_ratio:.2f} read_ratio={read_ratio:.2f} "
          f"read_at_load_ratio={at_load_ratio:.2f} site_mb={site_mb:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
