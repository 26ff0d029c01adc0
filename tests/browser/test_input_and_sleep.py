"""``input()`` and ``time.sleep`` in the browser kernel: the worker blocks on shared memory.

A cell's ``input()`` shows a box after its prompt; Enter answers it and the cell
goes on. ``time.sleep`` pauses without Pyodide's stack switching. The Stop button
cuts both short. A page that is not cross-origin isolated (an embed in a plain
page) cannot block: ``input()`` and ``time.sleep`` say so.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.notebook_page import NotebookPage, exact_text, notebook_source, play_url
from tests.browser.service import RunningService

INTERRUPTED = re.compile("interrupt", re.IGNORECASE)


def _open_without_waiting(notebook: NotebookPage, *cells: str) -> None:
    """Open a link holding these cells; they run at once, and may block before "ready" shows."""
    notebook.open(play_url(notebook_source(*cells)), wait_for_kernel=False)
    expect(notebook.cells).to_have_count(len(cells))


def _console(page: Page) -> list[str]:
    messages: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        messages.append(message.text)

    page.on("console", keep)
    return messages


@contextmanager
def _plain_page(html: str) -> Iterator[str]:
    """Serve ``html`` on loopback with no isolation headers, as a third-party page would."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_input_asks_after_its_prompt_and_the_answer_reaches_dependent_cells(
    notebook: NotebookPage,
) -> None:
    _open_without_waiting(
        notebook, 'name = input("Your name? ")', 'greeting = f"Hello, {name}!"\ngreeting'
    )
    asking, greeting = notebook.cell(0), notebook.cell(1)

    box = asking.get_by_test_id("cell-input")
    expect(box).to_be_visible()
    expect(box).to_be_focused()
    expect(box).to_have_accessible_name("Your name?")
    expect(asking.get_by_test_id("cell-stdout")).to_have_text(exact_text("Your name?"))
    expect(asking).to_have_attribute("data-status", "running")

    box.fill("Ada")
    box.press("Enter")

    expect(notebook.output(greeting)).to_have_text(exact_text("'Hello, Ada!'"))
    # The answer is echoed after the prompt, as in a terminal, and the box is gone.
    expect(asking.get_by_test_id("cell-stdout")).to_have_text(exact_text("Your name? Ada"))
    expect(asking.get_by_test_id("cell-input")).to_have_count(0)
    expect(asking).to_have_attribute("data-status", "idle")
    expect(notebook.variable("name")).to_contain_text("'Ada'")


def test_getpass_asks_in_a_password_box_and_shows_nothing_typed(notebook: NotebookPage) -> None:
    _open_without_waiting(notebook, "import getpass\nsecret = getpass.getpass()\nlen(secret)")
    cell = notebook.cell(0)

    box = cell.get_by_test_id("cell-input")
    expect(box).to_have_attribute("type", "password")
    box.fill("hunter2")
    box.press("Enter")

    expect(notebook.output(cell)).to_have_text(exact_text("7"))
    expect(cell.get_by_test_id("cell-stdout")).to_have_text(exact_text("Password:"))


def test_stop_while_waiting_for_input_interrupts_the_cell_and_it_can_ask_again(
    notebook: NotebookPage,
) -> None:
    _open_without_waiting(notebook, 'answer = input("Continue? ")', "answer.upper()")
    asking, reading = notebook.cell(0), notebook.cell(1)
    expect(asking.get_by_test_id("cell-input")).to_be_visible()

    notebook.page.get_by_test_id("interrupt").click()

    expect(notebook.error(asking)).to_contain_text(INTERRUPTED)
    expect(asking.get_by_test_id("cell-input")).to_have_count(0)
    expect(reading).to_have_attribute("data-status", "stale")
    notebook.wait_for_kernel()

    # Nothing of the interrupted wait is left over: the next input() waits for its own answer.
    notebook.run_with_shift_enter(asking)
    box = asking.get_by_test_id("cell-input")
    expect(box).to_be_visible()
    box.fill("yes")
    box.press("Enter")
    expect(notebook.output(reading)).to_have_text(exact_text("'YES'"))


def test_time_sleep_pauses_the_cell_without_warnings(notebook: NotebookPage) -> None:
    console = _console(notebook.page)
    notebook.open_notebook(
        "import time\n"
        "started = time.monotonic()\n"
        "time.sleep(0.3)\n"
        "slept = time.monotonic() - started\n"
        "print(f'slept {slept:.3f} s')\n"
        "slept >= 0.3"
    )
    cell = notebook.cell(0)

    expect(notebook.output(cell)).to_have_text(exact_text("True"))
    expect(cell.get_by_test_id("cell-error")).to_be_hidden()
    expect(cell.get_by_test_id("cell-stderr")).to_be_hidden()
    assert not [m for m in console if "stack switching" in m.lower()], console
    print(notebook.page.get_by_test_id("cell-stdout").first.inner_text().strip())


def test_stop_cuts_a_long_sleep_short(notebook: NotebookPage) -> None:
    _open_without_waiting(notebook, "import time\ntime.sleep(100)\nwoke = True", "after = 42\nafter")
    sleeping, later = notebook.cell(0), notebook.cell(1)
    expect(sleeping).to_have_attribute("data-status", "running")

    notebook.page.get_by_test_id("interrupt").click()
    clicked = time.monotonic()

    expect(notebook.error(sleeping)).to_contain_text(INTERRUPTED)
    print(f"the 100 s sleep stopped {time.monotonic() - clicked:.2f} s after the click")
    notebook.wait_for_kernel()
    expect(later).to_have_attribute("data-status", "stale")
    notebook.run_with_shift_enter(later)
    expect(notebook.output(later)).to_have_text(exact_text("42"))


def test_without_cross_origin_isolation_input_and_sleep_say_they_cannot_wait(
    page: Page, service: RunningService
) -> None:
    # A plain page (not cross-origin isolated) embedding the playground: no shared memory.
    source = notebook_source(
        "import time\ntime.sleep(5)\nslept = 'returned'\nslept", 'name = input("Name? ")'
    )
    with _plain_page(
        f'<iframe src="{service.usercontent_url}{play_url(source, embed="true")}" '
        'style="width: 900px; height: 700px"></iframe>'
    ) as embedder:
        page.goto(embedder)
    assert page.evaluate("crossOriginIsolated") is False
    frame = page.frame_locator("iframe")
    sleeping = frame.locator('[data-testid="cell"]').nth(0)
    asking = frame.locator('[data-testid="cell"]').nth(1)

    expect(sleeping.get_by_test_id("cell-output")).to_have_text(exact_text("'returned'"))
    expect(sleeping.get_by_test_id("cell-stderr")).to_contain_text("cross-origin isolated")
    expect(asking.get_by_test_id("cell-error")).to_contain_text("EOFError")
    expect(asking.get_by_test_id("cell-error")).to_contain_text("cross-origin isolated")
    expect(asking.get_by_test_id("cell-input")).to_have_count(0)
