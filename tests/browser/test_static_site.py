"""A notebook exported as a static site (``playground export site``) runs in Chromium
from plain static servers, and an embed of a saved notebook runs on another site.

- ``python -m http.server``, under a sub-path, with no special headers: the app view
  shows the first output (read from the notebook's folder, with a helper module, a
  wheel given with --wheel and one the export downloaded with its dependency), "Show code" shows the code, and the page says what a host
  without cross-origin isolation cannot do;
- Debian's nginx with the headers docs/folders.md gives: the same page, isolated;
- ``<playground-notebook>`` on a page of another origin: the embedded notebook runs,
  its frame grows to its content, and it cannot read that page's cookies.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.accounts_flow import new_notebook, sign_up_and_verify
from tests.browser.notebook_page import NotebookPage, exact_text
from tests.browser.service import RunningService
from tests.host.test_site_export import folder_index, make_wheel, pip_offline
from tests.real_services import free_port, port_answers

ROOT = Path(__file__).resolve().parents[2]

NOTEBOOK = '''import marimo

app = marimo.App()


@app.cell
def _():
    import csv
    import helpers
    import tinyhelp
    import tinyextra
    with open("data/rain.csv") as f:
        total = sum(int(row["mm"]) for row in csv.DictReader(f))
    helpers.label(total + tinyhelp.ANSWER + tinyextra.ANSWER + tinyextra.DEP)
    return (total,)
'''


@contextlib.contextmanager
def running(args: list[str], port: int, log: Path) -> Iterator[None]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30  # only fails a server that never starts
        while not port_answers("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[0]} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported site, at docs/rain/ of a web root."""
    work = tmp_path_factory.mktemp("static-site")
    (work / "rain.py").write_text(NOTEBOOK)
    folder = work / "folder"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "rain.csv").write_text("day,mm\nmon,12\ntue,30\n")
    (folder / "helpers.py").write_text("def label(n):\n    return f'rain: {n} mm'\n")
    wheel = make_wheel(work / "tinyhelp-1.0-py3-none-any.whl", code="ANSWER = 100\n")
    # tinyextra comes from a package index (pip downloads it, and tinydep it needs).
    index = folder_index(
        work / "index",
        make_wheel(work / "tinyextra-1.0-py3-none-any.whl", "tinyextra", ("tinydep",),
                   "import tinydep\nANSWER = 40\nDEP = tinydep.ANSWER\n"),
        make_wheel(work / "tinydep-1.0-py3-none-any.whl", "tinydep"))
    web = work / "web"
    done = subprocess.run(
        [sys.executable, "-m", "kernels.runtime.cli", "export", "site", "rain.py",
         "-o", str(web / "docs" / "rain"), "--files", "folder", "--wheel", str(wheel),
         "--title", "Rain"],
        cwd=work, env={**pip_offline(index), "PYTHONPATH": str(ROOT)}, capture_output=True,
        text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return web


def check_the_site_runs(page: Page, url: str) -> NotebookPage:
    notebook = NotebookPage(page).open(url)
    cell = notebook.cell(0)
    expect(notebook.output(cell)).to_have_text(exact_text("'rain: 224 mm'"))
    expect(page.get_by_test_id("app-view")).to_be_visible()
    expect(page).to_have_title("Rain")
    return notebook


def test_the_exported_site_runs_from_a_plain_static_server_under_a_sub_path(
    page: Page, site: Path, tmp_path: Path
) -> None:
    port = free_port()
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
              "--directory", str(site)]
    with running(server, port, tmp_path / "http.log"):
        url = f"http://127.0.0.1:{port}/docs/rain/"
        check_the_site_runs(page, url)
        # No COOP/COEP from this server: the page says what that costs, in words.
        assert page.evaluate("crossOriginIsolated") is False
        note = page.get_by_test_id("site-isolation-note")
        expect(note).to_be_visible()
        assert "Stop cannot interrupt" in (note.get_attribute("title") or "")
        # The code, on request, and back to the app view.
        page.get_by_test_id("site-code-toggle").click()
        expect(page.get_by_test_id("cell-editor").first).to_contain_text("csv.DictReader")
        expect(page.get_by_test_id("site-code-toggle")).to_have_text("Hide code")
        # The notebook file itself is there to download.
        with page.expect_download() as download:
            page.get_by_test_id("site-download").click()
        assert Path(download.value.path()).read_text() == NOTEBOOK


def test_the_same_site_behind_nginx_with_the_documented_headers_is_isolated(
    page: Page, site: Path, tmp_path: Path
) -> None:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(
        "daemon off;\n" + ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'} warn;\n"
        "worker_processes 1;\nevents { worker_connections 64; }\n"
        "http {\n  access_log off;\n"
        + "".join(f"  {kind}_temp_path {prefix / kind};\n"
                  for kind in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {prefix / 'body'};\n"
        # The server block docs/folders.md gives for nginx.
        f"  server {{\n    listen 127.0.0.1:{port};\n    root {site};\n"
        "    include /etc/nginx/mime.types;\n    types { application/javascript mjs; }\n"
        '    add_header Cross-Origin-Opener-Policy "same-origin" always;\n'
        '    add_header Cross-Origin-Embedder-Policy "require-corp" always;\n'
        '    add_header Cross-Origin-Resource-Policy "same-origin" always;\n'
        "  }\n}\n"
    )
    with running([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                  "-e", str(prefix / "error.log")], port, tmp_path / "nginx.log"):
        check_the_site_runs(page, f"http://127.0.0.1:{port}/docs/rain/")
        assert page.evaluate("crossOriginIsolated") is True
        expect(page.get_by_test_id("site-isolation-note")).to_have_count(0)


def test_an_embedded_notebook_runs_on_another_site_and_sizes_itself(
    new_context: Callable[..., BrowserContext], service: RunningService, tmp_path: Path
) -> None:
    owner = new_context(app=True).new_page()
    sign_up_and_verify(owner, service)
    notebook = new_notebook(owner, "Embedded")
    cell = notebook.cell(0)
    notebook.set_code(cell, "import marimo as mo\n"
                            "mo.md('\\n\\n'.join(f'line {i}' for i in range(40)))")
    owner.get_by_test_id("host-save").click()
    expect(owner.get_by_test_id("save-status")).to_contain_text("Saved")
    # The share page's Embed snippet for a new view link.
    owner.goto(owner.url.rstrip("/") + "/share")
    owner.get_by_test_id("link-create").click()
    snippet = owner.get_by_test_id("link-embed-code").first.input_value()
    assert "<playground-notebook src=" in snippet

    # Another site: its own origin and a cookie of its own.
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text(
        "<!doctype html><title>Blog</title><script>document.cookie = 'blog=secret';</script>"
        "<h1>A post</h1>" + snippet + "<p id=after>after</p>")
    port = free_port()
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
              "--directory", str(other)]
    with running(server, port, tmp_path / "other.log"):
        page = new_context().new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        frame_element = page.locator("playground-notebook iframe")
        expect(frame_element).to_have_count(1)
        frame = frame_element.content_frame
        expect(frame.get_by_test_id("cell-output").first).to_contain_text("line 39")
        # Its frame grew from the default 320 px to fit forty paragraphs.
        page.wait_for_function(
            "document.querySelector('playground-notebook iframe').offsetHeight > 600")
        # The notebook cannot read the embedding page's cookies: another origin.
        inside = frame_element.element_handle().content_frame()
        assert inside is not None
        assert page.evaluate("document.cookie") == "blog=secret"
        assert inside.evaluate("document.cookie") == ""
        assert inside.evaluate("location.origin") == service.usercontent_url.rstrip("/")
