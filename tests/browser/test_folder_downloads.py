"""A folder file's download can be stopped: Python waits in open() for its bytes, and
Stop raises KeyboardInterrupt there instead of waiting for the whole file
(frontend kernel/lazy_file.ts, download_worker.ts). The file comes from an exported
site on a cross-origin isolated static server that holds the file's second half
back until the test lets it go; once let go, the same cell reads the whole file."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.notebook_page import NotebookPage, exact_text

ROOT = Path(__file__).resolve().parents[2]
SIZE = 4 * 1024 * 1024

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def _():
    with open("slow.bin", "rb") as f:
        data = f.read()
    f"read {len(data)} bytes"
    return
'''


class HeldBack:
    """The server's hold on slow.bin: asked for (the download started), let go."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.released = threading.Event()


def _handler(held: HeldBack) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            super().end_headers()

        def do_GET(self) -> None:
            if not self.path.endswith("/files/slow.bin") or held.released.is_set():
                super().do_GET()
                return
            body = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            held.asked.set()
            held.released.wait(timeout=120)
            try:
                self.wfile.write(body[len(body) // 2:])
            except OSError:
                pass  # the browser gave up on it: Stop cancels the download

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def held_site(tmp_path: Path) -> Iterator[tuple[str, HeldBack]]:
    (tmp_path / "slow.py").write_text(NOTEBOOK)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "slow.bin").write_bytes(os.urandom(SIZE))
    done = subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", "export", "site", "slow.py", "-o", "site",
         "--files", "folder"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    held = HeldBack()
    handler = functools.partial(_handler(held), directory=str(tmp_path / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", held
    held.released.set()
    server.shutdown()
    server.server_close()


def test_stop_interrupts_a_files_download_and_the_cell_reads_it_once_it_comes(
    page: Page, held_site: tuple[str, HeldBack]
) -> None:
    url, held = held_site
    # With the code shown (?mode=edit), where the toolbar has Stop.
    notebook = NotebookPage(page).open(f"{url}?mode=edit", wait_for_kernel=False)  # busy: waiting
    assert page.evaluate("crossOriginIsolated") is True
    assert held.asked.wait(timeout=120), "the page never asked for the file"
    cell = notebook.cell(0)
    expect(cell).to_have_attribute("data-status", "running")

    page.get_by_test_id("interrupt").click()
    expect(notebook.error(cell)).to_have_text("interrupted by the user")

    held.released.set()
    notebook.run_with_shift_enter(cell)
    expect(notebook.output(cell)).to_have_text(exact_text(f"'read {SIZE} bytes'"))
